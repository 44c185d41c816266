using System.Diagnostics;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Seal;

/// <summary>
/// Unseals a range of a sector into its unsealed partial file, as Lotus storage/sealer/ffiwrapper/sealer_cgo.go
/// <c>UnsealPiece</c> drives rust-fil-proofs <c>unseal_range</c>: the padded bytes of [offset, offset + size) that the
/// partial file does not mark allocated are decoded from the sealed file (data = replica − key mod p, the key being the
/// last SDR layer regenerated from the replica id, stacked <c>extract_range</c>) and written at their padded offsets,
/// then marked allocated (partialfile <c>MarkAllocated</c>). The decoded field elements are the Fr32-padded data, the
/// representation AddPiece wrote into the unsealed file, so they are written as they are.
/// </summary>
/// <remarks>
/// Nothing is written to the cache directory: the layers live in memory. A wrong comm_d or ticket gives another replica
/// id and a decode that is noise, in which about 45% of the nodes are at least 2^254 and so cannot be Fr32-padded data;
/// the first <see cref="CheckNodes"/> nodes of the sector are decoded and checked before the unsealed file is touched.
/// Lotus merges gaps of up to 32 MiB between ranges (unseal_ranges.go mergeGaps) to save layer regenerations; here the
/// key is regenerated once per call whatever the ranges, so only the missing bytes are decoded and already allocated
/// ones are never rewritten.
/// </remarks>
public static class Unseal
{
    /// <summary>Nodes decoded and checked before anything is written: a wrong key passes with probability about 0.55^4096.</summary>
    public const int CheckNodes = 4096;

    /// <summary>Bytes decoded per read and write.</summary>
    private const int ChunkBytes = 1 << 20;

    /// <summary>Runs the unseal on a thread of its own.</summary>
    public static Task<UnsealResult> RunAsync(UnsealRequest request, ParentCacheOptions parentCache, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parentCache);
        return RunCoreAsync(request, parentCache, kernel, progress, cancellationToken);
    }

    /// <summary>
    /// The padded byte ranges of [offset, offset + size) (unpadded) that the unsealed file at <paramref name="unsealedPath"/>
    /// does not hold, in order; all of it when the file does not exist. Checks the range as Lotus does (piece_provider.go
    /// ReadPiece: the offset a multiple of 127, the size a valid unpadded piece size) and that it lies in the sector.
    /// </summary>
    /// <exception cref="ProofsException">The range is invalid or outside the sector, or the unsealed file is damaged.</exception>
    public static IReadOnlyList<(ulong Offset, ulong Size)> MissingRanges(string unsealedPath, ulong sectorSize, ulong offset, ulong size, string sectorName)
    {
        ArgumentException.ThrowIfNullOrEmpty(unsealedPath);
        var (start, length) = PaddedRange(sectorSize, offset, size, sectorName);
        if (!File.Exists(unsealedPath))
        {
            return [(start, length)];
        }

        using var handle = File.OpenHandle(unsealedPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Subtract(start, length, ReadAllocated(handle, sectorSize, unsealedPath, sectorName));
    }

    private static async Task<UnsealResult> RunCoreAsync(UnsealRequest request, ParentCacheOptions parentCache, LabelKernel kernel, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken)
    {
        var proof = request.Proof;
        var name = request.SectorName;
        if (request.Ticket is not { Length: 32 })
        {
            throw new ProofsException($"unsealing sector {name}: the ticket must be 32 bytes, got {request.Ticket?.Length ?? 0}");
        }

        if (request.CommD is not { Length: 32 } || !Fr.TryFromBytes(request.CommD, out _))
        {
            throw new ProofsException($"unsealing sector {name}: comm_d must be a 32-byte field element");
        }

        var todo = MissingRanges(request.UnsealedPath, proof.SectorSize, request.Offset, request.Size, name);
        if (todo.Count == 0)
        {
            return new UnsealResult([], TimeSpan.Zero);
        }

        using var sealedFile = StoreFile.Open(request.SealedPath, "sealed", FileAccess.Read);
        StoreFile.CheckLength(sealedFile, request.SealedPath, "sealed", (long)proof.SectorSize);

        var replicaId = ReplicaId.Compute(ProverId.FromActorId(request.MinerId), request.SectorNumber, request.Ticket, request.CommD, proof.PoRepId.Span);
        var started = Stopwatch.GetTimestamp();
        NativeBuffer key;
        using (var parents = await ParentCache.OpenOrCreateAsync(proof, parentCache, null, cancellationToken).ConfigureAwait(false))
        {
            key = await Task.Factory.StartNew(
                () => DecodingKey.Label(parents, replicaId, proof.Layers, kernel, progress, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }

        var labeling = Stopwatch.GetElapsedTime(started);
        using (key)
        {
            await Task.Factory.StartNew(
                () => Decode(request, sealedFile, key, todo, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }

        return new UnsealResult(todo, labeling);
    }

    private static void Decode(UnsealRequest request, SafeFileHandle sealedFile, NativeBuffer key, IReadOnlyList<(ulong Offset, ulong Size)> todo, CancellationToken cancellationToken)
    {
        var sectorSize = request.Proof.SectorSize;
        var buffer = new byte[(int)Math.Min((ulong)ChunkBytes, sectorSize)];

        // First the check of the key, with nothing written yet.
        var check = (int)Math.Min((ulong)CheckNodes * Fr.ByteLength, sectorSize);
        DecodeChunk(request, sealedFile, key, 0, buffer.AsSpan(0, check));

        var created = !File.Exists(request.UnsealedPath);
        using var unsealed = File.OpenHandle(request.UnsealedPath, created ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        List<(ulong Offset, ulong Size)> allocated;
        if (created)
        {
            // Lotus partialfile CreatePartialFile: the sector's length, then an empty trailer.
            allocated = [];
            RandomAccess.SetLength(unsealed, (long)sectorSize);
            PartialFile.WriteTrailer(unsealed, sectorSize, allocated);
        }
        else
        {
            allocated = ReadAllocated(unsealed, sectorSize, request.UnsealedPath, request.SectorName);
        }

        foreach (var (offset, size) in todo)
        {
            for (var at = offset; at < offset + size; at += (ulong)buffer.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = buffer.AsSpan(0, (int)Math.Min((ulong)buffer.Length, offset + size - at));
                DecodeChunk(request, sealedFile, key, at, chunk);
                RandomAccess.Write(unsealed, chunk, (long)at);
            }

            RandomAccess.FlushToDisk(unsealed);
            allocated.Add((offset, size));
            PartialFile.WriteTrailer(unsealed, sectorSize, allocated);
            RandomAccess.FlushToDisk(unsealed);
        }
    }

    /// <summary>Reads the replica at <paramref name="offset"/> into <paramref name="chunk"/> and decodes it in place, refusing nodes that are not Fr32-padded.</summary>
    private static void DecodeChunk(UnsealRequest request, SafeFileHandle sealedFile, NativeBuffer key, ulong offset, Span<byte> chunk)
    {
        StoreFile.ReadExactly(sealedFile, chunk, (long)offset, request.SealedPath, "sealed");
        var bad = Fr.AddCanonical(chunk, key.Slice(offset, chunk.Length), chunk, subtract: true);
        if (bad >= 0)
        {
            throw new ProofsException($"unsealing sector {request.SectorName}: node {(offset / Fr.ByteLength) + (ulong)bad} of the sealed file {request.SealedPath} is not a field element: the file is damaged; nothing more was written to the unsealed file");
        }

        for (var i = 0; i < chunk.Length; i += Fr.ByteLength)
        {
            if ((chunk[i + Fr.ByteLength - 1] & 0xC0) != 0)
            {
                var node = (offset + (ulong)i) / Fr.ByteLength;
                throw new ProofsException(
                    $"unsealing sector {request.SectorName}: decoded node {node} is not Fr32-padded data (it is at least 2^254): " +
                    $"the comm_d {Multiformats.CommCid.ToPieceCid(request.CommD)} or the ticket is not the one the sector was sealed with, or the sealed file {request.SealedPath} is damaged; " +
                    "no decoded byte of a wrong key is written to the unsealed file");
            }
        }
    }

    private static (ulong Offset, ulong Size) PaddedRange(ulong sectorSize, ulong offset, ulong size, string sectorName)
    {
        // Lotus storiface.UnpaddedByteIndex.Valid and abi.UnpaddedPieceSize.Validate.
        if (offset % Fr32.Fr32Padding.UnpaddedBlockSize != 0)
        {
            throw new ProofsException($"unsealing sector {sectorName}: the offset {offset} is not a multiple of 127 unpadded bytes");
        }

        var unpadded = new UnpaddedPieceSize(size);
        if (!unpadded.IsValid)
        {
            throw new ProofsException($"unsealing sector {sectorName}: {size} is not a valid unpadded piece size (127 × a power of two)");
        }

        var start = offset / Fr32.Fr32Padding.UnpaddedBlockSize * Fr32.Fr32Padding.PaddedBlockSize;
        var length = unpadded.Padded().Value;
        if (start > sectorSize || length > sectorSize - start)
        {
            throw new ProofsException($"unsealing sector {sectorName}: the range of {size} unpadded bytes at {offset} (padded {start}..{start + length}) is outside the {sectorSize}-byte sector");
        }

        return (start, length);
    }

    private static List<(ulong Offset, ulong Size)> ReadAllocated(SafeFileHandle handle, ulong sectorSize, string path, string sectorName)
    {
        try
        {
            return PartialFile.ReadAllocated(handle, sectorSize);
        }
        catch (ProofsException e)
        {
            throw new ProofsException($"unsealing sector {sectorName}: the unsealed file {path} is not a partial file of a {sectorSize}-byte sector: {e.Message}", e);
        }
    }

    /// <summary>[start, start + length) minus the allocated ranges (rle <c>Subtract</c>), as ordered disjoint ranges.</summary>
    internal static List<(ulong Offset, ulong Size)> Subtract(ulong start, ulong length, IEnumerable<(ulong Offset, ulong Size)> allocated)
    {
        var result = new List<(ulong, ulong)>();
        var at = start;
        var end = start + length;
        foreach (var (offset, size) in allocated.Where(r => r.Size > 0).OrderBy(r => r.Offset))
        {
            if (offset + size <= at)
            {
                continue;
            }

            if (offset >= end)
            {
                break;
            }

            if (offset > at)
            {
                result.Add((at, offset - at));
            }

            at = Math.Max(at, offset + size);
            if (at >= end)
            {
                break;
            }
        }

        if (at < end)
        {
            result.Add((at, end - at));
        }

        return result;
    }
}
