using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Native;
using Kiln.Proofs.Sdr;

namespace Kiln.Benchmarks;

/// <summary>
/// One SDR layer (2^16 nodes, random DRG-like parents) with each kernel, against the baseline of
/// SHA-256 over the same number of 1280-byte messages (the 20 blocks a label hashes).
/// </summary>
[MemoryDiagnoser]
public unsafe class LabelingBenchmarks
{
    private const int Nodes = 1 << 16;
    private NativeBuffer _parents = null!;
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
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parents.Dispose();
        _current.Dispose();
        _previous.Dispose();
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

    [Benchmark(OperationsPerInvoke = Nodes / 2)]
    public void Sha254_pairs() => Sha254.HashPairs(new ReadOnlySpan<byte>(_previous.Pointer, Nodes * 32), new Span<byte>(_current.Pointer, Nodes * 16));
}
