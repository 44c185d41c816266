using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores.PoSt;

namespace Kiln.Testing;

/// <summary>
/// A vanilla proof source whose reads all wait at a gate the test opens (<see cref="Open"/>); <see cref="Reached"/>
/// completes once <paramref name="expected"/> reads wait there at once. Reads start synchronously up to the gate, so
/// when <see cref="Reached"/> completes a reader without a bound has already started every read (<see cref="Calls"/>
/// says how many) — no clock involved.
/// </summary>
/// <param name="expected">Reads in progress at once that complete <see cref="Reached"/>.</param>
/// <param name="answer">The proof bytes a read returns once through the gate.</param>
public sealed class GatedVanillaSource(int expected, Func<RegisteredPoStProof, PostSectorChallenge, byte[]> answer) : IVanillaSource
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _active;
    private int _most;
    private int _calls;

    /// <summary>Completes when <c>expected</c> reads are waiting at the gate at once.</summary>
    public Task Reached => _reached.Task;

    /// <summary>The most reads that were in progress at once.</summary>
    public int MostAtOnce => Volatile.Read(ref _most);

    /// <summary>Reads asked for so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Lets every waiting read, and every later one, through.</summary>
    public void Open() => _open.TrySetResult();

    public async Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sector);
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _active);
        int seen;
        while ((seen = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, seen) != seen)
        {
        }

        if (now >= expected)
        {
            _reached.TrySetResult();
        }

        try
        {
            await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return answer(proofType, sector);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
