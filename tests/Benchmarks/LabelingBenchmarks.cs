using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;

namespace Kiln.Benchmarks;

/// <summary>
/// One SDR layer (2^16 nodes, random DRG-like parents) with each kernel, against the baseline of
/// SHA-256 over the same number of 1280-byte messages (the 20 blocks a label hashes). The native
/// kernel also on layers made of 32 KiB blocks scattered over a pool (the block-table indirection)
/// and on batches of 2, 3 and 4 sectors (per label: OperationsPerInvoke counts every sector's labels).
/// </summary>
[MemoryDiagnoser]
public unsafe class LabelingBenchmarks
{
    private const int Nodes = 1 << 16;
    private const int Sectors = 4;
    private const int BlockShift = 10;
    private NativeBuffer _parents = null!;
    private NativeBuffer _pool = null!;
    private NativeBuffer _tables = null!;
    private LayerBlocks[] _blocksCurrent = null!;
    private LayerBlocks[] _blocksPrevious = null!;
    private byte[] _replicas = null!;
    private NativeBuffer _current = null!;
    private NativeBuffer _previous = null!;
    private byte[] _replica = null!;
    private byte[] _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _parents = new NativeBuffer(Nodes * 14 * sizeof(uint));
        var p = (uint*)_parents.Pointer;
        for (var v = 0; v < Nodes; v++)
        {
            for (var k = 0; k < 14; k++)
            {
                p[(14 * v) + k] = k == 0 ? (uint)Math.Max(0, v - 1) : k < 6 ? (uint)(v == 0 ? 0 : rng.Next(v)) : (uint)rng.Next(Nodes);
            }
        }

        _current = new NativeBuffer(Nodes * 32, zero: true);
        _previous = new NativeBuffer(Nodes * 32, zero: true);
        _replica = RandomNumberGenerator.GetBytes(32);
        _replica[31] &= 0x3F;
        _message = new byte[1248];

        // 2 layers for each of Sectors sectors, every layer 64 blocks of 2^10 nodes drawn in shuffled order from one pool.
        const int PerLayer = Nodes >> BlockShift;
        const int Blocks = 2 * Sectors * PerLayer;
        _pool = new NativeBuffer((ulong)Blocks << (BlockShift + 5));
        new Span<byte>(_pool.Pointer, (int)_pool.Length).Fill(0x11);
        _tables = new NativeBuffer(Blocks * sizeof(nint));
        var order = Enumerable.Range(0, Blocks).ToArray();
        rng.Shuffle(order);
        var table = (byte**)_tables.Pointer;
        for (var i = 0; i < Blocks; i++)
        {
            table[i] = _pool.Pointer + ((ulong)order[i] << (BlockShift + 5));
        }

        _blocksCurrent = Enumerable.Range(0, Sectors).Select(s => new LayerBlocks(table + (2 * s * PerLayer), BlockShift, Nodes)).ToArray();
        _blocksPrevious = Enumerable.Range(0, Sectors).Select(s => new LayerBlocks(table + (((2 * s) + 1) * PerLayer), BlockShift, Nodes)).ToArray();
        _replicas = RandomNumberGenerator.GetBytes(32 * Sectors);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parents.Dispose();
        _current.Dispose();
        _previous.Dispose();
        _pool.Dispose();
        _tables.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes)]
    public void Sha256_1248_bytes_per_node()
    {
        Span<byte> d = stackalloc byte[32];
        for (var i = 0; i < Nodes; i++)
        {
            SHA256.HashData(_message, d);
        }
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Label_managed() => LayerLabeler.LabelRange((uint*)_parents.Pointer, _current.Pointer, _previous.Pointer, _replica, 2, 0, Nodes, LabelKernel.Managed);

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Label_native()
    {
        if (KilnNative.IsAvailable)
        {
            LayerLabeler.LabelRange((uint*)_parents.Pointer, _current.Pointer, _previous.Pointer, _replica, 2, 0, Nodes, LabelKernel.Native);
        }
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Label_native_scattered_blocks() => LabelBatch(1);

    [Benchmark(OperationsPerInvoke = Nodes * 2)]
    public void Label_native_batch_of_2() => LabelBatch(2);

    [Benchmark(OperationsPerInvoke = Nodes * 3)]
    public void Label_native_batch_of_3() => LabelBatch(3);

    [Benchmark(OperationsPerInvoke = Nodes * 4)]
    public void Label_native_batch_of_4() => LabelBatch(4);

    [Benchmark(OperationsPerInvoke = Nodes / 2)]
    public void Sha254_pairs() => Sha254.HashPairs(new ReadOnlySpan<byte>(_previous.Pointer, Nodes * 32), new Span<byte>(_current.Pointer, Nodes * 16));

    private void LabelBatch(int sectors)
    {
        if (KilnNative.IsAvailable)
        {
            LayerLabeler.LabelRangeBatch((uint*)_parents.Pointer, _blocksCurrent.AsSpan(0, sectors), _blocksPrevious.AsSpan(0, sectors), _replicas.AsSpan(0, 32 * sectors), 2, 0, Nodes, LabelKernel.Native);
        }
    }
}
