using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Seal;

/// <summary>
/// rust-fil-proofs' TemporaryAux, the cache-dir file <c>t_aux</c>: where the labels and the three trees
/// live, in bincode 1.x (little-endian, fixed-width integers; PhantomData encodes to nothing), as storage-proofs-porep
/// stacked/vanilla/params.rs declares it and filecoin-proofs api/util.rs <c>persist_t_aux</c> writes it.
/// </summary>
public sealed record TemporaryAux(IReadOnlyList<StoreConfig> Labels, StoreConfig TreeD, StoreConfig TreeRLast, StoreConfig TreeC)
{
    public const string FileName = "t_aux";

    /// <summary>The stores PreCommit2 leaves in <paramref name="cacheDir"/> for a sector of <paramref name="shape"/>.</summary>
    public static TemporaryAux For(SealProofInfo proof, Merkle.SectorTreeShape shape, string cacheDir)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(shape);
        var labels = new StoreConfig[proof.Layers];
        for (var l = 1; l <= proof.Layers; l++)
        {
            labels[l - 1] = new StoreConfig(cacheDir, CacheFiles.LayerId(l), proof.Nodes, 0);
        }

        var baseLength = (ulong)shape.Base.Length;
        return new TemporaryAux(
            labels,
            new StoreConfig(cacheDir, CacheFiles.TreeDId, (2 * proof.Nodes) - 1, 0),
            new StoreConfig(cacheDir, CacheFiles.TreeRLastId, baseLength, (ulong)shape.RowsToDiscard),
            new StoreConfig(cacheDir, CacheFiles.TreeCId, baseLength, 0));
    }

    public byte[] ToBytes()
    {
        var w = new ArrayBufferWriter<byte>(512);
        U64(w, (ulong)Labels.Count);
        foreach (var label in Labels)
        {
            Store(w, label);
        }

        Store(w, TreeD);
        Store(w, TreeRLast);
        Store(w, TreeC);
        return w.WrittenSpan.ToArray();
    }

    public void Write(string cacheDir) => AtomicFile.Write(Path.Combine(cacheDir, FileName), ToBytes());

    private static void Store(ArrayBufferWriter<byte> w, StoreConfig s)
    {
        Str(w, s.Path);
        Str(w, s.Id);
        if (s.Size is { } size)
        {
            w.Write([(byte)1]);
            U64(w, size);
        }
        else
        {
            w.Write([(byte)0]);
        }

        U64(w, s.RowsToDiscard);
    }

    private static void Str(ArrayBufferWriter<byte> w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        U64(w, (ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void U64(ArrayBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }
}
