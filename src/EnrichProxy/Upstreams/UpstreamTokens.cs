using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EnrichProxy.Background;
using EnrichProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Bearer tokens of upstreams whose key is exchanged at a login endpoint (<see cref="ApiKeyLocation.Login"/>,
/// TheTVDB v4): one login per cluster however many requests need it, through the cluster's own client
/// (so its rate limit and breaker apply), renewed before it expires and after the upstream answers 401.
/// </summary>
internal sealed partial class UpstreamTokens(UpstreamRegistry upstreams, TimeProvider time, ILogger<UpstreamTokens> logger)
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the token a request was sent with.</summary>
    public static readonly object UsedTokenItem = new();

    // TheTVDB's tokens last a month; renewing after 25 days leaves room for clocks and restarts.
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(25);
    private static readonly TimeSpan FailedLoginPause = TimeSpan.FromSeconds(5);

    // Lazy: of callers racing to log in, only the one whose login is kept sends it.
    private readonly ConcurrentDictionary<string, Lazy<Task<Token>>> _tokens = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A current token for <paramref name="cluster"/>, or null when the login failed (tried again a few seconds later).</summary>
    /// <param name="cluster">The cluster whose client and first destination the login goes through, as the request that needs the token would.</param>
    public async ValueTask<string?> GetAsync(ClusterModel cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var clusterId = cluster.Config.ClusterId;
        var known = _tokens.GetOrAdd(clusterId, static (_, state) => state.Tokens.Login(state.Cluster), (Tokens: this, Cluster: cluster));
        var token = await known.Value;
        // Got with the key as configured now: a key changed in the configuration logs in again at once.
        if (token.ExpiresAt > time.GetUtcNow() && string.Equals(token.Key, LoginOf(upstreams.Get(clusterId)), StringComparison.Ordinal))
        {
            return token.Value; // Null during the pause after a failed login.
        }

        // Failed, expired or of another key: the first caller to notice starts a new login, the others join it.
        var renewed = Login(cluster);
        var current = _tokens.TryUpdate(clusterId, renewed, known) ? renewed : _tokens.GetOrAdd(clusterId, renewed);
        return (await current.Value).Value;
    }

    /// <summary>After a 401 to <paramref name="token"/>: the next request logs in again (unless a newer token is already there).</summary>
    public void Forget(string clusterId, string token)
    {
        if (_tokens.TryGetValue(clusterId, out var known) && known.IsValueCreated && known.Value.IsCompletedSuccessfully
            && known.Value.Result.Value == token)
        {
            _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<Token>>>(clusterId, known));
        }
    }

    // Started by a background job, the login runs on the pool: a client who joins it must not wait for the jobs' thread.
    private Lazy<Task<Token>> Login(ClusterModel cluster) =>
        new(() => BackgroundThread.IsCurrent ? Task.Run(() => LoginAsync(cluster)) : LoginAsync(cluster));

    private async Task<Token> LoginAsync(ClusterModel cluster)
    {
        var clusterId = cluster.Config.ClusterId;
        var upstream = upstreams.Get(clusterId);
        if (cluster.Config.Destinations?.Values.FirstOrDefault()?.Address is not { Length: > 0 } destination)
        {
            return Failed(LoginOf(upstream));
        }

        var body = new JsonObject { ["apikey"] = upstream.ApiKey };
        if (upstream.LoginPin is { Length: > 0 } pin)
        {
            body["pin"] = pin;
        }

        try
        {
            var address = new Uri(new Uri(destination), upstream.LoginPath);
            using var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = JsonContent.Create(body) };
            if (upstream.UserAgent is { Length: > 0 } userAgent)
            {
                request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await cluster.HttpClient.SendAsync(request, timeout.Token);
            var answer = response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token)
                : null;
            if (answer?["data"] is JsonObject data && data["token"] is JsonValue value && value.TryGetValue<string>(out var token) && token.Length > 0)
            {
                LogLoggedIn(logger, clusterId);
                return new Token(token, time.GetUtcNow() + Lifetime, LoginOf(upstream));
            }

            LogLoginRefused(logger, clusterId, (int)response.StatusCode);
        }
#pragma warning disable CA1031 // Whatever went wrong, the login is tried again a little later; a faulted task would be kept for good.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var error = exception.GetType().Name;
            LogLoginFailed(logger, clusterId, error);
        }

        return Failed(LoginOf(upstream));
    }

    // What a login is made with: a token got with other settings is not used.
    private static string LoginOf(UpstreamOptions upstream) => $"{upstream.ApiKey}|{upstream.LoginPin}|{upstream.LoginPath}";

    // A failed login is remembered for a moment, so that a burst of requests does not send a burst of logins.
    private Token Failed(string? key) => new(null, time.GetUtcNow() + FailedLoginPause, key);

    /// <summary>A token, or a failed login (<see cref="Value"/> null), valid until <see cref="ExpiresAt"/>, got with <see cref="Key"/> (<see cref="LoginOf"/>).</summary>
    private sealed record Token(string? Value, DateTimeOffset ExpiresAt, string? Key);

    [LoggerMessage(EventId = 2201, EventName = "UpstreamLoggedIn", Level = LogLevel.Information,
        Message = "Logged in to cluster {ClusterId}; its token is renewed before it expires")]
    private static partial void LogLoggedIn(ILogger logger, string clusterId);

    [LoggerMessage(EventId = 2202, EventName = "UpstreamLoginRefused", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} refused the login with status {StatusCode}; check its ApiKey (and LoginPin)")]
    private static partial void LogLoginRefused(ILogger logger, string clusterId, int statusCode);

    [LoggerMessage(EventId = 2203, EventName = "UpstreamLoginFailed", Level = LogLevel.Warning,
        Message = "Could not log in to cluster {ClusterId} ({Error}); the next request tries again")]
    private static partial void LogLoginFailed(ILogger logger, string clusterId, string error);
}
