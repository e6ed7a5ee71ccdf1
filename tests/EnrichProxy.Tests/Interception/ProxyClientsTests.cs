using System.Net;
using System.Text;
using EnrichProxy.Configuration;
using EnrichProxy.Interception;

namespace EnrichProxy.Tests.Interception;

public sealed class ProxyClientsTests
{
    private static readonly IPAddress Internet = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Lan = IPAddress.Parse("192.168.1.20");

    [Fact]
    public void WithCredentials_OnlyTheRightBasicCredentialsPass_FromAnywhere()
    {
        var clients = Clients("radarr", "s3cret:with-colon");

        Assert.True(clients.Allows(Basic("radarr:s3cret:with-colon"), Internet));
        Assert.True(clients.Allows("basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("radarr:s3cret:with-colon")), Lan));
        Assert.False(clients.Allows(Basic("radarr:s3cret"), Lan));
        Assert.False(clients.Allows(Basic("sonarr:s3cret:with-colon"), Lan));
        Assert.False(clients.Allows(null, IPAddress.Loopback)); // with credentials set, loopback needs them too
        Assert.False(clients.Allows("Bearer abc", Lan));
        Assert.False(clients.Allows("Basic not*base64", Lan));
    }

    [Fact]
    public void WithoutCredentials_OnlyLoopbackAndPrivateClientsPass()
    {
        var clients = Clients(null, null);

        Assert.True(clients.Allows(null, IPAddress.Loopback));
        Assert.True(clients.Allows(null, Lan));
        Assert.False(clients.Allows(null, Internet));
        Assert.False(clients.Allows(Basic("any:thing"), Internet));
        Assert.False(clients.Allows(null, null));
    }

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

    private static ProxyClients Clients(string? username, string? password) =>
        new(Microsoft.Extensions.Options.Options.Create(new EnrichProxyOptions
        {
            ForwardProxy = new ForwardProxyOptions { Enabled = true, Username = username, Password = password },
        }));
}
