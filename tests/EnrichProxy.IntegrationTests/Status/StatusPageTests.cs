using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using PuppeteerSharp;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Status;

/// <summary>The status page at <c>/</c>, in a real headless Chromium against the real proxy.</summary>
public sealed class StatusPageTests : IAsyncLifetime
{
    // Generous: a page load and a few fetches on a loaded 2-core machine.
    private const int WaitMilliseconds = 30_000;

    private readonly FakeUpstream _tmdb = new();
    private IBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _tmdb.Dispose();
    }

    [Fact]
    public async Task ThePage_IsServedToAnyone_WithoutFigures_UnderAStrictPolicy()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var page = await proxy.Client.GetAsync("/");
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        var html = await page.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/status/status.js\\?v=[0-9a-f]+)\"").Groups[1].Value;
        using var scriptResponse = await proxy.Client.GetAsync(script);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("tmdb-movie", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, scriptResponse.StatusCode);
        Assert.True(scriptResponse.Headers.CacheControl?.MaxAge > TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task WithTheReadOnlyKey_ThePageShowsTheFiguresOfStats_AndNoActions()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled, AdminClient.ReadOnlyEnabled));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await using var page = await _browser.NewPageAsync();

        await page.GoToAsync(proxy.Client.BaseAddress!.ToString());
        await page.WaitForSelectorAsync("#login:not([hidden])", new WaitForSelectorOptions { Timeout = WaitMilliseconds });
        await SignInAsync(page, AdminClient.ReadOnlyKey);
        await page.WaitForFunctionAsync("() => document.getElementById('total-requests').textContent === '3'", new WaitForFunctionOptions { Timeout = WaitMilliseconds });
        using var statsResponse = await proxy.StatsAsync(AdminClient.ReadOnlyKey);
        var stats = JsonDocument.Parse(await statsResponse.Content.ReadAsStringAsync()).RootElement;

        var hitRatio = stats.GetProperty("totals").GetProperty("hitRatio").GetDouble();
        Assert.Equal($"{hitRatio * 100:0.0} %", await TextAsync(page, "#total-hit-ratio"));
        Assert.Equal(
            stats.GetProperty("routes").GetProperty("tmdb-movie").GetProperty("hits").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            await TextAsync(page, "tr[data-route='tmdb-movie'] td[data-field='hits']"));
        Assert.Equal("closed", await TextAsync(page, "tr[data-cluster='tmdb'] td[data-field='circuit']"));
        Assert.Equal(stats.GetProperty("instance").GetProperty("version").GetString(), await TextAsync(page, "#instance dd[data-field='version']"));
        Assert.StartsWith("Figures from", await TextAsync(page, "#freshness"), StringComparison.Ordinal);
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('actions').hidden"));
    }

    [Fact]
    public async Task WithTheAdminKey_APurgeFromThePage_WorksEndToEnd_AndHostileTextStaysText()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        // A purge anyone with the key could have made, shown on the page as text, not run as markup.
        using (await proxy.PurgeAsync(new { tag = "<img src=x onerror=\"window.pwned=1\">" }))
        {
        }

        await using var page = await _browser.NewPageAsync();
        await page.GoToAsync(proxy.Client.BaseAddress!.ToString());
        await SignInAsync(page, AdminClient.Key);
        await page.WaitForSelectorAsync("#actions:not([hidden])", new WaitForSelectorOptions { Timeout = WaitMilliseconds });

        await page.SelectAsync("#purge-scope", "url");
        await page.TypeAsync("#purge-value", Tmdb.ProxyMoviePath);
        await page.ClickAsync("#purge-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.getElementById('action-result').textContent.startsWith('Purged url')", new WaitForFunctionOptions { Timeout = WaitMilliseconds });
        using var after = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("MISS", after.XCache());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
        Assert.Contains("onerror", await TextAsync(page, "#purges"), StringComparison.Ordinal);
        Assert.False(await page.EvaluateExpressionAsync<bool>("window.pwned === 1"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#purges img').length"));
        await SaveScreenshotIfAskedAsync(page);
    }

    [Fact]
    public async Task OnAPhone_ThePageFitsTheScreen()
    {
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled));
        await using var page = await _browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 844, IsMobile = true, DeviceScaleFactor = 2 });

        await page.GoToAsync(proxy.Client.BaseAddress!.ToString());
        await SignInAsync(page, AdminClient.Key);
        await page.WaitForSelectorAsync("#dashboard:not([hidden])", new WaitForSelectorOptions { Timeout = WaitMilliseconds });

        // Wide tables scroll inside their own box; the page itself does not scroll sideways.
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
    }

    [Fact]
    public async Task AWrongKey_IsRefused_AndTheFormAsksAgain()
    {
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled));
        await using var page = await _browser.NewPageAsync();

        await page.GoToAsync(proxy.Client.BaseAddress!.ToString());
        await SignInAsync(page, "not-the-key-0123456789");
        await page.WaitForFunctionAsync("() => document.getElementById('login-error').textContent.length > 0", new WaitForFunctionOptions { Timeout = WaitMilliseconds });

        Assert.Equal("That key was not accepted.", await TextAsync(page, "#login-error"));
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('dashboard').hidden"));
    }

    [Fact]
    public async Task ARefusedConfigurationChange_IsShownWithItsErrors()
    {
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-page-").FullName;
        File.WriteAllText(Path.Combine(contentRoot, "appsettings.json"), "{}");
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled), contentRoot: contentRoot);
        File.WriteAllText(Path.Combine(contentRoot, "appsettings.json"), """{ "EnrichProxy": { "Policies": { "search": { "Ttl": "-00:05:00" } } } }""");
        await using var page = await _browser.NewPageAsync();

        await page.GoToAsync(proxy.Client.BaseAddress!.ToString());
        await SignInAsync(page, AdminClient.Key);
        // The page reads the stats every 5 s: the refusal shows at the latest one round after it happened.
        await page.WaitForSelectorAsync("#config-refused:not([hidden])", new WaitForSelectorOptions { Timeout = WaitMilliseconds });

        Assert.Contains("EnrichProxy:Policies:search:Ttl must be greater than 0", await TextAsync(page, "#config-errors"), StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task TheApiDocs_RenderInTheBrowser_FromThisOriginOnly()
    {
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));
        await using var page = await _browser.NewPageAsync();
        var elsewhere = new List<string>();
        var origin = proxy.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        page.Request += (_, e) =>
        {
            if (!e.Request.Url.StartsWith(origin, StringComparison.Ordinal) && !e.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                elsewhere.Add(e.Request.Url);
            }
        };

        await page.GoToAsync(origin + "/docs/");
        await page.WaitForFunctionAsync("() => document.body.innerText.includes('Purge by url')", new WaitForFunctionOptions { Timeout = WaitMilliseconds });

        Assert.Empty(elsewhere);
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.WaitForSelectorAsync("#login:not([hidden])", new WaitForSelectorOptions { Timeout = WaitMilliseconds });
        await page.TypeAsync("#key", key);
        await page.ClickAsync("#login-form button[type=submit]");
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("selector => document.querySelector(selector).textContent", selector);

    // `STATUS_SCREENSHOT=docs/status-page.png dotnet test --filter StatusPage` refreshes the README's picture.
    private static async Task SaveScreenshotIfAskedAsync(IPage page)
    {
        if (Environment.GetEnvironmentVariable("STATUS_SCREENSHOT") is { Length: > 0 } path)
        {
            await page.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 900 });
            await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        }
    }
}
