using Clavex.Core.Interaction;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

public sealed class PasswordCheckLimiterTests
{
    // Failure guard only: a correct limiter passes without ever waiting this long.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Test]
    public async Task No_more_than_the_limit_run_at_once_and_the_rest_queue()
    {
        const int limit = 2;
        const int calls = 8;
        using var limiter = new PasswordCheckLimiter(limit);
        using var gate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        int running = 0;
        int maxRunning = 0;
        int started = 0;
        // Enough idle threads that a limiter letting everything through would show it at once.
        ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, calls * 2), minIo);
        try
        {
            var tasks = Enumerable.Range(0, calls).Select(i => limiter.RunAsync(() =>
            {
                Interlocked.Increment(ref started);
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                entered.Release();
                gate.Wait(Guard);
                Interlocked.Decrement(ref running);
                return i;
            })).ToList();

            for (int i = 0; i < limit; i++)
            {
                Assert.That(await entered.WaitAsync(Guard), Is.True);
            }

            using (Assert.EnterMultipleScope())
            {
                Assert.That(Volatile.Read(ref running), Is.EqualTo(limit));
                Assert.That(tasks.Count(t => t.IsCompleted), Is.Zero);
            }

            gate.Set();
            int[] results = await Task.WhenAll(tasks);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(results, Is.EqualTo(Enumerable.Range(0, calls)));
                Assert.That(started, Is.EqualTo(calls));
                Assert.That(maxRunning, Is.EqualTo(limit));
            }
        }
        finally
        {
            gate.Set();
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
    }

    [Test]
    public async Task A_call_cancelled_while_queued_never_runs_and_frees_nothing_it_did_not_hold()
    {
        using var limiter = new PasswordCheckLimiter(1);
        using var gate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        using var cancellation = new CancellationTokenSource();
        bool queuedRan = false;

        var holder = limiter.RunAsync(() =>
        {
            entered.Release();
            gate.Wait(Guard);
            return 1;
        });
        Assert.That(await entered.WaitAsync(Guard), Is.True);
        var queued = limiter.RunAsync(() => queuedRan = true, cancellation.Token);

        await cancellation.CancelAsync();

        Assert.That(async () => await queued, Throws.InstanceOf<OperationCanceledException>());
        gate.Set();
        Assert.That(await holder, Is.EqualTo(1));
        Assert.That(await limiter.RunAsync(() => 2), Is.EqualTo(2));
        Assert.That(queuedRan, Is.False);
    }

    [Test]
    public async Task An_exception_from_the_work_reaches_the_caller_and_frees_the_slot()
    {
        using var limiter = new PasswordCheckLimiter(1);

        Assert.That(async () => await limiter.RunAsync<int>(() => throw new InvalidOperationException("boom")),
            Throws.InvalidOperationException.With.Message.EqualTo("boom"));
        Assert.That(await limiter.RunAsync(() => 3), Is.EqualTo(3));
    }

    [Test]
    public async Task A_password_check_runs_behind_the_limiter()
    {
        using var limiter = new PasswordCheckLimiter();
        var hasher = new PasswordHasher();

        var result = await limiter.RunAsync(() => hasher.Verify("password", Argon2ReferenceVectors.Password), CancellationToken.None);

        Assert.That(result, Is.EqualTo(PasswordVerification.Succeeded));
    }

    [Test]
    public void The_default_limit_is_one_per_processor()
    {
        using var limiter = new PasswordCheckLimiter();

        Assert.That(limiter.MaxConcurrency, Is.EqualTo(Math.Max(1, Environment.ProcessorCount)));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void A_limit_below_one_is_refused(int limit)
    {
        Assert.That(() => new PasswordCheckLimiter(limit), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
