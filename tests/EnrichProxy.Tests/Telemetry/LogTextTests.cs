using EnrichProxy.Telemetry;

namespace EnrichProxy.Tests.Telemetry;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("tmdb:movie:603", "tmdb:movie:603")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a\r\ninfo: forged line", "a\\u000d\\u000ainfo: forged line")]
    [InlineData("bell\u0007 and escape\u001b[31m", "bell\\u0007 and escape\\u001b[31m")]
    [InlineData("c1\u0085next", "c1\\u0085next")]
    public void Printable_WritesControlCharactersAsEscapes(string? text, string expected) =>
        Assert.Equal(expected, LogText.Printable(text));

    [Fact]
    public void Printable_CutsLongTextAndSaysHowMuchWasLeftOut()
    {
        var shown = LogText.Printable(new string('x', 1024 * 1024));

        Assert.StartsWith(new string('x', LogText.MaxLength) + "…", shown, StringComparison.Ordinal);
        Assert.EndsWith($"({(1024 * 1024) - LogText.MaxLength} more characters)", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Printable_TextWithNothingToChange_IsTheSameString()
    {
        const string Text = "tmdb:movie:603";

        Assert.Same(Text, LogText.Printable(Text));
    }
}
