namespace Clavex.Tests.Support;

/// <summary>A clock that moves only when a test moves it.</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _now = start;

    public TestClock()
        : this(DefaultStart)
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
