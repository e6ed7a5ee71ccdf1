using EnrichProxy.Configuration;
using StackExchange.Redis;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// How the proxy connects to Redis so that Redis is never in a request's way: every command fails after
/// <see cref="RedisOptions.OperationTimeout"/> (the library's default is 5 s), commands issued while the connection
/// is down fail at once instead of queueing for its return, and the proxy starts and serves while Redis is away.
/// Timeouts written in the configuration string win.
/// </summary>
internal static class RedisConnection
{
    public static ConfigurationOptions Options(RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var configuration = redis.Configuration ?? throw new InvalidOperationException("Redis is not configured.");
        var options = ConfigurationOptions.Parse(configuration);
        var timeout = (int)redis.OperationTimeout.TotalMilliseconds;
        if (!Names(configuration, "syncTimeout"))
        {
            options.SyncTimeout = timeout;
        }

        if (!Names(configuration, "asyncTimeout"))
        {
            options.AsyncTimeout = timeout;
        }

        if (!Names(configuration, "connectTimeout"))
        {
            // A connection attempt may take a little longer than a command: TLS, AUTH, the first PING.
            options.ConnectTimeout = Math.Max(timeout * 2, 1000);
        }

        // The library notices timed-out commands on its heartbeat (1 s by default): with a short timeout, beat often
        // enough that a command fails close to it.
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(timeout / 2, 100, 1000));
        // Start and keep serving from memory while Redis is away; readiness reports it.
        options.AbortOnConnectFail = false;
        // While disconnected, fail each command at once (the request goes on without Redis) instead of holding
        // it in the backlog until the connection returns.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    private static bool Names(string configuration, string setting) =>
        configuration.Contains(setting + "=", StringComparison.OrdinalIgnoreCase);
}
