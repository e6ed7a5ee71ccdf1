using System.Net;
using EnrichProxy.Interception;

namespace EnrichProxy.Tests.Interception;

public sealed class NetworkAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.10", true)]
    [InlineData("100.64.0.1", true)] // carrier-grade NAT, as Tailscale hands out
    [InlineData("100.128.0.1", false)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:192.168.1.10", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void IsLoopbackOrPrivate_WhoMayUseTheProxyWithoutCredentials(string address, bool expected)
    {
        Assert.Equal(expected, NetworkAddresses.IsLoopbackOrPrivate(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("169.254.169.254", true)] // a cloud's metadata service
    [InlineData("fe80::1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("100.100.100.200", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("192.168.254.253", false)] // a LAN's indexer or download client stays reachable (an address this machine is unlikely to own)
    [InlineData("10.254.253.252", false)]
    [InlineData("93.184.216.34", false)]
    public void IsLocal_WhereATunnelMayNotGo(string address, bool expected)
    {
        Assert.Equal(expected, NetworkAddresses.IsLocal(IPAddress.Parse(address)));
    }
}
