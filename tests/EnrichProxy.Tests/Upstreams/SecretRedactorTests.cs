using System.Text;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class SecretRedactorTests
{
    [Fact]
    public void Redact_ReplacesEveryOccurrenceInText()
    {
        Assert.Equal(
            "https://api.example/3/movie/603?api_key=[REDACTED]&b=[REDACTED]",
            SecretRedactor.Redact("https://api.example/3/movie/603?api_key=s3cr3t&b=s3cr3t", "s3cr3t"));
    }

    [Fact]
    public void Redact_ReplacesTheKeyInABody()
    {
        var body = Encoding.UTF8.GetBytes("""{"status_message":"bad /3/movie/1?api_key=s3cr3t"}""");

        Assert.Equal("""{"status_message":"bad /3/movie/1?api_key=[REDACTED]"}""", Encoding.UTF8.GetString(SecretRedactor.Redact(body, "s3cr3t")));
    }

    [Fact]
    public void Redact_WithoutTheKeyOrWithoutASecret_ReturnsTheSameBody()
    {
        var body = Encoding.UTF8.GetBytes("{}");

        Assert.Same(body, SecretRedactor.Redact(body, "s3cr3t"));
        Assert.Same(body, SecretRedactor.Redact(body, null));
        Assert.Equal("plain", SecretRedactor.Redact("plain", null));
    }
}
