using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Sealing;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Sealing;

/// <summary>
/// The batch rules of Lotus's pre-commit and commit batchers (storage/pipeline/precommit_batch.go and commit_batch.go
/// run, batchWait, maybeStartBatch, Flush): sent at MaxBatch sectors, else when the wait runs out or one slack before
/// the earliest cutoff, or at once on a flush; a cancelled sector leaves the batch; a failed send reaches every sector.
/// </summary>
public sealed class MessageBatcherTests
{
    private static readonly Cid Message = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
    private readonly WatchedTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<IReadOnlyList<ulong>> _sent = [];

    [Fact]
    public async Task A_full_batch_goes_at_once_in_sector_order()
    {
        await using var batcher = Batcher(maxBatch: 3, wait: TimeSpan.FromHours(1), slack: TimeSpan.Zero);
        var adds = new[] { 7UL, 3UL, 5UL }.Select(n => batcher.AddAsync(Entry(n, TimeSpan.FromDays(1)), CancellationToken.None)).ToArray();
        var results = await Task.WhenAll(adds).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([[3UL, 5UL, 7UL]], _sent);
        Assert.All(results, r => Assert.Equal(Message, r.Message));
        Assert.Empty(batcher.Pending);
    }

    [Fact]
    public async Task A_partial_batch_waits_for_the_batch_wait()
    {
        var wait = TimeSpan.FromMinutes(10);
        await using var batcher = Batcher(maxBatch: 10, wait, slack: TimeSpan.Zero);
        await _time.WaitForTimerAsync(wait); // the idle loop's timer
        var add = batcher.AddAsync(Entry(1, TimeSpan.FromDays(1)), CancellationToken.None);
        await _time.WaitForTimerAsync(wait); // re-armed for the new sector
        Assert.False(add.IsCompleted);
        Assert.Equal([1UL], batcher.Pending.Select(p => p.Sector));

        _time.Advance(wait);
        var result = await add.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Message, result.Message);
        Assert.Equal([[1UL]], _sent);
    }

    [Fact]
    public async Task The_batch_goes_one_slack_before_the_earliest_cutoff()
    {
        await using var batcher = Batcher(maxBatch: 10, wait: TimeSpan.FromHours(24), slack: TimeSpan.FromHours(1));
        await _time.WaitForTimerAsync(TimeSpan.FromHours(24));
        var late = batcher.AddAsync(Entry(2, TimeSpan.FromHours(30)), CancellationToken.None);
        await _time.WaitForTimerAsync(TimeSpan.FromHours(24));
        var early = batcher.AddAsync(Entry(1, TimeSpan.FromHours(3)), CancellationToken.None);
        await _time.WaitForTimerAsync(TimeSpan.FromHours(2)); // cutoff 3 h − slack 1 h

        _time.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(late, early).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([[1UL, 2UL]], _sent);
    }

    [Fact]
    public async Task A_flush_sends_what_waits_now()
    {
        await using var batcher = Batcher(maxBatch: 10, wait: TimeSpan.FromHours(24), slack: TimeSpan.Zero);
        var add = batcher.AddAsync(Entry(4, TimeSpan.FromDays(2)), CancellationToken.None);
        var flushed = await batcher.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([4UL], Assert.Single(flushed).Sectors);
        Assert.Equal(Message, (await add.WaitAsync(TimeSpan.FromSeconds(30))).Message);
        Assert.Empty(await batcher.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_cancelled_sector_leaves_the_batch()
    {
        await using var batcher = Batcher(maxBatch: 10, wait: TimeSpan.FromHours(24), slack: TimeSpan.Zero);
        using var cts = new CancellationTokenSource();
        var add = batcher.AddAsync(Entry(9, TimeSpan.FromDays(2)), cts.Token);
        Assert.Single(batcher.Pending);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => add);
        Assert.Empty(batcher.Pending);
        Assert.Empty(await batcher.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task A_failed_send_reaches_every_sector_of_the_batch()
    {
        var refused = new ChainException("not enough funds to send PreCommitSectorBatch2 of 2 sectors", isRetryable: false);
        await using var batcher = new MessageBatcher<string>("precommit", 2, TimeSpan.FromHours(1), TimeSpan.Zero, (_, _) => throw refused, _time, NullLogger.Instance);
        var adds = new[] { 1UL, 2UL }.Select(n => batcher.AddAsync(Entry(n, TimeSpan.FromDays(1)), CancellationToken.None)).ToArray();

        foreach (var add in adds)
        {
            Assert.Same(refused, await Assert.ThrowsAsync<ChainException>(() => add.WaitAsync(TimeSpan.FromSeconds(30))));
        }
    }

    private MessageBatcher<string> Batcher(int maxBatch, TimeSpan wait, TimeSpan slack) =>
        new("precommit", maxBatch, wait, slack, SendAsync, _time, NullLogger.Instance);

    private Task<IReadOnlyList<BatchResult>> SendAsync(IReadOnlyList<BatchEntry<string>> entries, CancellationToken ct)
    {
        var sectors = entries.Select(e => e.Sector).ToList();
        lock (_sent)
        {
            _sent.Add(sectors);
        }

        return Task.FromResult<IReadOnlyList<BatchResult>>([new BatchResult(sectors, Message, null)]);
    }

    private BatchEntry<string> Entry(ulong sector, TimeSpan cutoffIn) =>
        new(sector, $"sector {sector}", new TokenAmount(1000), _time.GetUtcNow() + cutoffIn);
}
