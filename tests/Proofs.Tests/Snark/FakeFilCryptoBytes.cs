using System.Buffers;
using System.Buffers.Binary;
using Kiln.Proofs.Snark;

namespace Kiln.Proofs.Tests.Snark;

/// <summary>The bytes fake_filcrypto.c answers with (see the comment at its top), rebuilt on the managed side.</summary>
internal static class FakeFilCryptoBytes
{
    public const ulong CursedSector = 666;

    public static byte[] SealCommitPhase2(ReadOnlySpan<byte> json, ulong sectorId, ReadOnlySpan<byte> proverId)
    {
        var w = new ArrayBufferWriter<byte>();
        U64(w, sectorId);
        w.Write(proverId);
        U64(w, Fnv1a64(json));
        U64(w, (ulong)json.Length);
        var head = new byte[136];
        json[..Math.Min(json.Length, head.Length)].CopyTo(head);
        w.Write(head);
        return w.WrittenSpan.ToArray();
    }

    public static byte[] SealProof(RegisteredSealProof type, byte[] commR, byte[] commD, byte[] proverId, byte[] ticket, byte[] seed, ulong sectorId)
    {
        var w = new ArrayBufferWriter<byte>();
        U32(w, (uint)type);
        w.Write(commR);
        w.Write(commD);
        w.Write(proverId);
        w.Write(ticket);
        w.Write(seed);
        U64(w, sectorId);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>What the three PoSt generators echo: tag 'N', 'W' or 'S' (the last with a partition index).</summary>
    public static byte[] PoStEcho(char tag, RegisteredPoStProof postType, byte[] randomness, byte[] proverId, IReadOnlyList<byte[]> vanilla, ulong? partition = null)
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write([(byte)tag]);
        U32(w, (uint)postType);
        w.Write(randomness);
        w.Write(proverId);
        if (partition is { } p)
        {
            U64(w, p);
        }

        U32(w, (uint)vanilla.Count);
        foreach (var v in vanilla)
        {
            U32(w, (uint)v.Length);
            w.Write(v);
        }

        return w.WrittenSpan.ToArray();
    }

    /// <summary>The proof verify_winning_post ('N') and verify_window_post ('W') accept.</summary>
    public static byte[] PoStVerifiable(char tag, byte[] randomness, byte[] proverId, IEnumerable<PublicReplica> replicas)
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write([(byte)tag]);
        w.Write(randomness);
        w.Write(proverId);
        foreach (var r in replicas)
        {
            U32(w, (uint)r.PostType);
            w.Write(r.CommR.Span);
            U64(w, r.SectorId);
        }

        return w.WrittenSpan.ToArray();
    }

    public static byte[] SingleVanillaProof(RegisteredPoStProof postType, string cacheDir, byte[] commR, string replicaPath, ulong sectorId, ulong[] challenges)
    {
        var w = new ArrayBufferWriter<byte>();
        U64(w, sectorId);
        w.Write(commR);
        U32(w, (uint)postType);
        foreach (var path in new[] { cacheDir, replicaPath })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path);
            U32(w, (uint)bytes.Length);
            w.Write(bytes);
        }

        U32(w, (uint)challenges.Length);
        foreach (var c in challenges)
        {
            U64(w, c);
        }

        return w.WrittenSpan.ToArray();
    }

    private static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var b in bytes)
        {
            h = (h ^ b) * 0x100000001b3UL;
        }

        return h;
    }

    private static void U32(ArrayBufferWriter<byte> w, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), v);
        w.Advance(4);
    }

    private static void U64(ArrayBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }
}
