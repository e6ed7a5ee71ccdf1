using System.Net;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>The embedded disk level stays under its bound in bytes, however many cache-busting URLs arrive.</summary>
public sealed class DiskLevelTests : IDisposable
{
    private const long Bound = 1024 * 1024;
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task CacheBustingUrls_FillTheDiskOnlyUpToItsBound_TheSoonestToExpireEvictedFirst()
    {
        await using var proxy = await StartFilledAsync();
        var file = DiskFile(proxy);

        Assert.True(UsedBytes(file) > 2 * Bound, $"the file held {UsedBytes(file)} bytes before the check");
        _time.Advance(TimeSpan.FromSeconds(31));
        await WaitUntilAsync(() => UsedBytes(file) <= Bound && proxy.Logs.Contains("DiskLevelEvicted"));

        // Still answered: from memory, or fetched again.
        using var first = await proxy.Client.GetAsync("/tmdb/3/movie/1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(Rows(file) is > 0 and < 300, $"{Rows(file)} rows left");
        // Same lifetimes: the first stored expire first, and went first.
        Assert.Equal(0, Rows(file, "%/tmdb/3/movie/2"));
        Assert.Equal(1, Rows(file, "%/tmdb/3/movie/299"));
        Assert.True(new FileInfo(file + "-wal") is { Exists: false } or { Length: < Bound }, "the write-ahead log was truncated");
    }

    [Fact]
    public async Task ADiskLockedByAnotherWriter_FailsOneCheck_TheProxyAnswersMeanwhile_AndTheNextCheckTrims()
    {
        await using var proxy = await StartFilledAsync();
        var file = DiskFile(proxy);

        // Another process holds the file's write lock: the check waits its busy timeout, fails, and is logged.
        using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString()))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            _time.Advance(TimeSpan.FromSeconds(31));
            await WaitUntilAsync(() => proxy.Logs.Contains("DiskLevelBoundFailed"));
            using var meanwhile = await proxy.Client.GetAsync("/tmdb/3/movie/300");
            Assert.Equal(HttpStatusCode.OK, meanwhile.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(31));
        await WaitUntilAsync(() => UsedBytes(file) <= Bound && proxy.Logs.Contains("DiskLevelEvicted"));
        using var after = await proxy.Client.GetAsync("/tmdb/3/movie/1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    public void Dispose() => _tmdb.Dispose();

    // A proxy bounded to 1 MiB on disk, after 300 answers of 8 KB (about 2.5 MB: more than twice the bound).
    private async Task<ProxyHost> StartFilledAsync()
    {
        var body = $$"""{"id":1,"overview":"{{new string('x', 8 * 1024)}}"}""";
        _tmdb.Server.Given(Request.Create().WithPath(new RegexMatcher("^/3/movie/[0-9]+$")).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(body));
        var proxy = await StartAsync(Settings(
            Destination("tmdb", _tmdb.Url),
            ("EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond", "0"),
            ("EnrichProxy:Cache:DiskMaxBytes", $"{Bound}")), _time);
        for (var id = 1; id <= 300; id++)
        {
            using var answer = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        return proxy;
    }

    private static string DiskFile(ProxyHost proxy) => Path.Combine(proxy.ContentRoot, "cache", "cache.db");

    private static long UsedBytes(string file)
    {
        using var connection = Open(file);
        var pages = Scalar(connection, "PRAGMA page_count") - Scalar(connection, "PRAGMA freelist_count");
        return pages * Scalar(connection, "PRAGMA page_size");
    }

    private static long Rows(string file, string keyPattern = "%")
    {
        using var connection = Open(file);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cache WHERE key LIKE $part";
        command.Parameters.AddWithValue("$part", keyPattern);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the disk level was not brought under its bound in time");
            await Task.Delay(100);
        }
    }
}
