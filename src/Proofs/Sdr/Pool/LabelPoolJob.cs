using System.Runtime.InteropServices;

namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// One PC1 job's hold on a <see cref="LabelPool"/>: for each layer, acquire block i before labeling its nodes
/// (<see cref="AcquireAsync"/>), then, once the layer is written, <see cref="CompleteLayer"/> releases the previous
/// layer. Disposing the job (done, failed or cancelled) returns every block it holds.
/// </summary>
/// <remarks>
/// The job keeps two block tables (<see cref="BlockTable"/>): <c>table[v &gt;&gt; NodeShift]</c> is the block of node v,
/// null where the block is not acquired. The table of a layer keeps its address while the layer is held, so a
/// labeling kernel can take the tables of the current and the previous layer once per layer.
/// </remarks>
public sealed unsafe class LabelPoolJob : IDisposable, IAsyncDisposable
{
    private readonly LabelPool _pool;

    internal LabelPoolJob(LabelPool pool, long sequence, int blocksPerLayer)
    {
        _pool = pool;
        Sequence = sequence;
        var tableBytes = (nuint)blocksPerLayer * (nuint)sizeof(byte*);
        CurrentTable = (byte**)NativeMemory.AllocZeroed(tableBytes);
        PreviousTable = (byte**)NativeMemory.AllocZeroed(tableBytes);
        CurrentIds = new int[blocksPerLayer];
        PreviousIds = new int[blocksPerLayer];
        Array.Fill(CurrentIds, -1);
        Array.Fill(PreviousIds, -1);
    }

    /// <summary>Launch order: 0 for the pool's first job, then 1, 2, … (waiters are woken in this order).</summary>
    public long Sequence { get; }

    /// <summary>The layer being labeled (1-based); 0 before the first <see cref="AcquireAsync"/>.</summary>
    public int Layer { get; internal set; }

    /// <summary>The completed layer still held as the previous layer; 0 when none.</summary>
    public int PreviousLayer { get; internal set; }

    /// <summary>Blocks held now (previous layer plus the acquired part of the current one).</summary>
    public int BlocksHeld => _pool.HeldBy(this);

    /// <summary>Whether the job has ended (disposed) and holds nothing.</summary>
    public bool IsEnded => Ended;

    /// <summary>The pool's block shift: node v of a layer lies in block <c>v &gt;&gt; NodeShift</c>.</summary>
    public int NodeShift => _pool.Layout.NodeShift;

    internal byte** CurrentTable { get; set; }

    internal byte** PreviousTable { get; set; }

    internal int[] CurrentIds { get; set; }

    internal int[] PreviousIds { get; set; }

    internal int CurrentCount { get; set; }

    internal int PreviousCount { get; set; }

    internal bool Ended { get; set; }

    /// <summary>
    /// Block <paramref name="blockIndex"/> of <paramref name="layer"/>, waiting while the admission rule holds the job
    /// back. The first call fixes the job's first layer (a resumed PC1 may start above 1); afterwards
    /// <paramref name="layer"/> is the current layer, or the previous one for a block already held.
    /// </summary>
    public ValueTask<LabelBlock> AcquireAsync(int layer, int blockIndex, CancellationToken ct) => _pool.AcquireAsync(this, layer, blockIndex, ct);

    /// <summary>
    /// The current layer is labeled and written: its blocks become the previous layer, the old previous layer's
    /// blocks go back to the pool, and the job moves to the back of the priority order.
    /// </summary>
    public void CompleteLayer(int layer) => _pool.CompleteLayer(this, layer);

    /// <summary>The block table of the current or the previous layer (C entries, null where not acquired).</summary>
    public byte** BlockTable(int layer) => _pool.BlockTable(this, layer);

    /// <summary>Returns every block to the pool; pending acquires fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _pool.EndJob(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Frees the tables; called by the pool once the job has ended.</summary>
    internal void FreeTables()
    {
        NativeMemory.Free(CurrentTable);
        NativeMemory.Free(PreviousTable);
        CurrentTable = null;
        PreviousTable = null;
    }
}
