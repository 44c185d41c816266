using System.Threading.Channels;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>Methods for the server's resource bounds: an admin reader method (as Lotus's ComputeDataCid), big answers, gated calls.</summary>
[RpcNamespace("Guarded")]
public interface IGuardedApi
{
    /// <summary>Admin only, with a reader param: what an anonymous caller must not be able to park.</summary>
    [Perm(Permission.Admin)]
    Task<long> ComputeDataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken cancellationToken = default);

    /// <summary>A string of <paramref name="length"/> characters: a big answer from a small call.</summary>
    [Perm(Permission.Read)]
    Task<string> PadAsync(int length, CancellationToken cancellationToken = default);

    /// <summary>Runs until the test opens <see cref="GuardedApi.Gate"/>, recording how many ran at once.</summary>
    [Perm(Permission.Read)]
    Task<int> GatedAsync(int n, CancellationToken cancellationToken = default);
}

public sealed class GuardedApi : IGuardedApi
{
    private int _running;
    private int _maxRunning;
    private int _started;

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Started => Volatile.Read(ref _started);

    /// <summary>One item per <see cref="GatedAsync"/> call, written as it starts.</summary>
    public Channel<int> Starts { get; } = Channel.CreateUnbounded<int>();

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public long ComputeCalls { get; private set; }

    public Task<long> ComputeDataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken cancellationToken = default)
    {
        ComputeCalls++;
        return Task.FromResult((long)pieceSize);
    }

    public Task<string> PadAsync(int length, CancellationToken cancellationToken = default) => Task.FromResult(new string('k', length));

    public async Task<int> GatedAsync(int n, CancellationToken cancellationToken = default)
    {
        var running = Interlocked.Increment(ref _running);
        Interlocked.Increment(ref _started);
        Starts.Writer.TryWrite(n);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < running && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen)
        {
        }

        try
        {
            await Gate.Task.WaitAsync(cancellationToken);
            return n;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
