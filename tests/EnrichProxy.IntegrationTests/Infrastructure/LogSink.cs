using System.Collections.Concurrent;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>Keeps every log line the app writes, at every level, so tests can read them.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string AllText => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    public bool Contains(string eventName) => _lines.Any(line => line.Contains($"[{eventName}]", StringComparison.Ordinal));

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            sink._lines.Enqueue($"{logLevel} {category} [{eventId.Name}] {formatter(state, exception)} {structured} {exception}");
        }
    }
}
