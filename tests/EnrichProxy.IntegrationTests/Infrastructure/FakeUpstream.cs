using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>A WireMock.Net upstream with the few answers the tests need.</summary>
internal sealed class FakeUpstream : IDisposable
{
    public FakeUpstream() => Server = WireMockServer.Start();

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public FakeUpstream Json(string path, string body, int status = 200, TimeSpan? delay = null, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        if (delay is { } wait)
        {
            response = response.WithDelay(wait);
        }

        Server.Given(Request.Create().WithPath(path).UsingAnyMethod()).RespondWith(response);
        return this;
    }

    /// <summary>Answers <paramref name="path"/> with <paramref name="body"/> of <paramref name="contentType"/> and the given headers.</summary>
    public FakeUpstream Bytes(string path, byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(path).UsingAnyMethod()).RespondWith(response);
        return this;
    }

    /// <summary>Requests the upstream received for a path.</summary>
    public IReadOnlyList<WireMock.Logging.ILogEntry> Received(string path) =>
        [.. Server.LogEntries.Where(entry => entry.RequestMessage.Path == path)];

    /// <summary>Waits until the upstream has received <paramref name="count"/> requests for a path.</summary>
    public async Task WaitForAsync(string path, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Received(path).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The upstream received {Received(path).Count} requests for {path}, expected {count}.");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose() => Server.Stop();
}
