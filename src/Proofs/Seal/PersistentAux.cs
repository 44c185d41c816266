using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Seal;

/// <summary>
/// rust-fil-proofs' PersistentAux, the cache-dir file <c>p_aux</c>: comm_c ‖ comm_r_last, 64 bytes of
/// bincode (storage-proofs-porep stacked/vanilla/params.rs <c>PersistentAux</c>, written by
/// filecoin-proofs api/util.rs <c>persist_p_aux</c>). PoSt reads it to check comm_r = Poseidon₂(comm_c, comm_r_last).
/// </summary>
public sealed record PersistentAux(byte[] CommC, byte[] CommRLast)
{
    public const string FileName = "p_aux";

    public const int ByteLength = 64;

    public static string PathIn(string cacheDir) => Path.Combine(cacheDir, FileName);

    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        CommC.CopyTo(bytes, 0);
        CommRLast.CopyTo(bytes, 32);
        return bytes;
    }

    /// <summary>Reads <c>p_aux</c> from a cache directory.</summary>
    /// <exception cref="ProofsException">The file is missing, not 64 bytes, or holds values outside the field.</exception>
    public static PersistentAux Read(string cacheDir)
    {
        var path = PathIn(cacheDir);
        if (!File.Exists(path))
        {
            throw new ProofsException($"{path} does not exist: the sector has not been through PreCommit2");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != ByteLength)
        {
            throw new ProofsException($"{path} is {bytes.Length} bytes, expected {ByteLength} (comm_c ‖ comm_r_last)");
        }

        if (!Fr.TryFromBytes(bytes.AsSpan(0, 32), out _) || !Fr.TryFromBytes(bytes.AsSpan(32, 32), out _))
        {
            throw new ProofsException($"{path} holds a commitment that is not a field element");
        }

        return new PersistentAux(bytes[..32], bytes[32..]);
    }

    /// <summary>Writes <c>p_aux</c> through a temporary file, flushed and renamed.</summary>
    public void Write(string cacheDir) => AtomicFile.Write(PathIn(cacheDir), ToBytes());
}
