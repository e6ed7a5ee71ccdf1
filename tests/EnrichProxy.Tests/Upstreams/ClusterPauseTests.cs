using System.Net;
using System.Net.Http.Headers;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace EnrichProxy.Tests.Upstreams;

public sealed class ClusterPauseTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public void RetryAfterSeconds_PausesForThatLong(HttpStatusCode status)
    {
        var pause = new ClusterPause(_time);
        using var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(20), pause.Observe(response));
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TimeSpan.FromSeconds(1), pause.Remaining);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(pause.Remaining);
    }

    [Fact]
    public void RetryAfterDate_PausesUntilThen()
    {
        var pause = new ClusterPause(_time);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(2));

        pause.Observe(response);

        Assert.Equal(TimeSpan.FromMinutes(2), pause.Remaining);
    }

    [Fact]
    public void MusicBrainzRateLimitHeaders_PauseUntilTheReset()
    {
        var pause = new ClusterPause(_time);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("X-RateLimit-Remaining", "0");
        response.Headers.Add("X-RateLimit-Reset", _time.GetUtcNow().AddSeconds(3).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        pause.Observe(response);

        Assert.Equal(TimeSpan.FromSeconds(3), pause.Remaining);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, null)]
    [InlineData(HttpStatusCode.InternalServerError, "30")]
    [InlineData(HttpStatusCode.TooManyRequests, null)]
    public void AnswersThatAskForNoPause_LeaveTheClusterOpen(HttpStatusCode status, string? retryAfter)
    {
        var pause = new ClusterPause(_time);
        using var response = new HttpResponseMessage(status);
        if (retryAfter is not null)
        {
            response.Headers.Add("Retry-After", retryAfter);
        }

        Assert.Null(pause.Observe(response));
        Assert.Null(pause.Remaining);
    }

    [Fact]
    public void APauseIsCappedAtAnHourAndNeverShortened()
    {
        var pause = new ClusterPause(_time);
        using var long_ = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        long_.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromDays(3));
        using var short_ = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        short_.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5));

        pause.Observe(long_);
        pause.Observe(short_);

        Assert.Equal(TimeSpan.FromHours(1), pause.Remaining);
    }
}
