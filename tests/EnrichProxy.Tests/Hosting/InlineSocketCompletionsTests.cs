using EnrichProxy.Hosting;
using Microsoft.Extensions.Configuration;

namespace EnrichProxy.Tests.Hosting;

public sealed class InlineSocketCompletionsTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("true", null, true)]
    [InlineData("false", null, false)]
    [InlineData(null, "0", false)]
    [InlineData("true", "0", false)]
    [InlineData("false", "1", false)]
    public void ShouldSetVariable_IsOnByDefaultAndTheEnvironmentWins(string? configured, string? environment, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(configured is null ? [] : [new("EnrichProxy:Server:InlineSocketCompletions", configured)])
            .Build();

        Assert.Equal(expected, InlineSocketCompletions.ShouldSetVariable(configuration, environment));
    }
}
