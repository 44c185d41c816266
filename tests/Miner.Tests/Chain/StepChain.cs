using Kiln.Miner.Chain;
using Kiln.Miner.Tests.Proving;

namespace Kiln.Miner.Tests.Chain;

/// <summary>A chain whose head the test sets by hand; waits for an epoch complete when the head reaches it.</summary>
internal sealed class StepChain : ProvingOnlyChain, IChain
{
    private readonly Lock _lock = new();
    private readonly List<(long Epoch, TaskCompletionSource Done)> _waiters = [];
    private long _head;

    /// <summary>The epochs Winning PoSt randomness was drawn for, in order (one per round).</summary>
    public System.Threading.Channels.Channel<long> WinningDraws { get; } = System.Threading.Channels.Channel.CreateUnbounded<long>();

    public void SetHead(long epoch)
    {
        List<TaskCompletionSource> ready;
        lock (_lock)
        {
            _head = epoch;
            ready = [.. _waiters.Where(w => w.Epoch <= epoch).Select(w => w.Done)];
            _waiters.RemoveAll(w => w.Epoch <= epoch);
        }

        foreach (var r in ready)
        {
            r.TrySetResult();
        }
    }

    public Task<long> HeadEpochAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_head);
        }
    }

    public Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (epoch <= _head)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((epoch, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken) =>
        DeadlineInfo.At(await HeadEpochAsync(cancellationToken));

    public Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a proving test chain: no sealing");

    public Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a proving test chain: no sealing");

    /// <summary>This test chain's assignment: sector n in deadline n mod 48.</summary>
    public static int DeadlineOf(ulong sectorNumber) => (int)(sectorNumber % DeadlineInfo.PeriodDeadlines);

    public Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ulong>>([.. sectors.Where(n => DeadlineOf(n) == deadline.Index)]);

    public Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<ulong, int>>(sectors.ToDictionary(n => n, DeadlineOf));

    public Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken) =>
        Task.FromResult(PoStFixture.Randomness(0x21));

    public Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken)
    {
        WinningDraws.Writer.TryWrite(epoch);
        return Task.FromResult(PoStFixture.Randomness((byte)(epoch % 251)));
    }
}
