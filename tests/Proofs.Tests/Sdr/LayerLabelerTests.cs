using System.Security.Cryptography;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public sealed unsafe class LayerLabelerTests
{
    /// <summary>A direct, slow statement of storage-proofs-porep create_label/single.rs <c>create_label</c>/<c>create_label_exp</c> to check both kernels against.</summary>
    private static byte[] Reference(uint[] parents, byte[] current, byte[]? previous, byte[] replicaId, uint layer, ulong v)
    {
        var msg = new List<byte>(replicaId);
        msg.AddRange(new[] { (byte)(layer >> 24), (byte)(layer >> 16), (byte)(layer >> 8), (byte)layer });
        for (var i = 7; i >= 0; i--)
        {
            msg.Add((byte)(v >> (8 * i)));
        }

        msg.AddRange(new byte[20]);
        if (v > 0)
        {
            var n = previous == null ? 6 : 14;
            for (var j = 0; j < 37; j++)
            {
                var k = j % n;
                var idx = (int)parents[(14 * (int)v) + k];
                var src = k < 6 ? current : previous!;
                msg.AddRange(src.AsSpan(32 * idx, 32).ToArray());
            }
        }

        var h = SHA256.HashData(msg.ToArray());
        h[31] &= 0x3F;
        return h;
    }

    public static TheoryData<LabelKernel> Kernels()
    {
        var data = new TheoryData<LabelKernel> { LabelKernel.Managed };
        if (KilnNative.IsAvailable)
        {
            data.Add(LabelKernel.Native);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_matches_the_reference_on_both_layer_kinds(LabelKernel kernel)
    {
        const int Nodes = 300;
        var rng = new Random(7);
        var parents = new uint[Nodes * 14];
        for (var v = 0; v < Nodes; v++)
        {
            for (var k = 0; k < 14; k++)
            {
                parents[(14 * v) + k] = k < 6 ? (uint)(v == 0 ? 0 : rng.Next(v)) : (uint)rng.Next(Nodes);
            }
        }

        var replica = RandomNumberGenerator.GetBytes(32);
        replica[31] &= 0x3F;
        var previous = RandomNumberGenerator.GetBytes(Nodes * 32);
        foreach (var layer in new uint[] { 1, 2, 7 })
        {
            var current = new byte[Nodes * 32];
            var prev = layer == 1 ? null : previous;
            fixed (uint* p = parents)
            fixed (byte* c = current)
            fixed (byte* pv = previous)
            {
                // two ranges, to check that a range continues from labels already written
                LayerLabeler.LabelRange(p, c, layer == 1 ? null : pv, replica, layer, 0, 100, kernel);
                LayerLabeler.LabelRange(p, c, layer == 1 ? null : pv, replica, layer, 100, Nodes, kernel);
            }

            for (var v = 0; v < Nodes; v++)
            {
                Assert.Equal(Convert.ToHexStringLower(Reference(parents, current, prev, replica, layer, (ulong)v)), Convert.ToHexStringLower(current.AsSpan(32 * v, 32)));
            }
        }
    }

    [Fact]
    public void Node_zero_label_depends_only_on_replica_id_and_layer()
    {
        // Replica 09×32 (as rust-fil-proofs test_create_labels): node-0 labels of layers 1, 2, 3 and 11, which hash only the prefix.
        var replica = Enumerable.Repeat((byte)9, 32).ToArray();
        var expected = new Dictionary<uint, string>
        {
            [1] = "ad9baba2a22d17ee8b630ebca948772fb770f2ba82d661dfc984589eff118d1d",
            [2] = "edf09499f06d57ff8fed555f078a1d6c3ef18e8e8fb82cb9663ed71a20b45c16",
            [3] = "26ca028a5177997a6087aef3e5e739ab35556bb4d4b9e77b69b57bdb8c14933b",
            [11] = "a06c1aa288196b58af812efe0f32274f61887726e50336eadf01de67c6b9ed06",
        };
        foreach (var kernel in Kernels())
        {
            foreach (var (layer, hex) in expected)
            {
                var parents = new uint[14];
                var current = new byte[32];
                var previous = new byte[32];
                fixed (uint* p = parents)
                fixed (byte* c = current)
                fixed (byte* pv = previous)
                {
                    LayerLabeler.LabelRange(p, c, pv, replica, layer, 0, 1, kernel);
                }

                Assert.Equal(hex, Convert.ToHexStringLower(current));
            }
        }
    }

    [Fact]
    public void The_native_kernel_in_use_is_the_version_this_build_calls()
    {
        // A stale libkiln_native.so (older block-less kernel) must fall back to managed, not be called.
        if (KilnNative.IsAvailable)
        {
            Assert.Equal(2, KilnNative.kiln_native_version());
        }
        else
        {
            Assert.NotNull(KilnNative.WhyUnavailable);
        }
    }

    [Fact]
    public void Later_layers_need_the_previous_layer()
    {
        var replica = new byte[32];
        Assert.Throws<ArgumentException>(() =>
        {
            fixed (byte* r = replica)
            {
                LayerLabeler.LabelRange(null, r, null, replica, 2, 0, 1, LabelKernel.Managed);
            }
        });
    }
}
