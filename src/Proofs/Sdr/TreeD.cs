using Kiln.Proofs.Hashing;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// tree_d: the sha256-trunc254 binary tree over a sector's Fr32 data, stored as
/// <c>sc-02-data-tree-d.dat</c> with every level concatenated (leaves first, root last),
/// (2·nodes − 1) × 32 bytes. Built level by level through a fixed buffer: memory does not
/// grow with the sector.
/// </summary>
public static class TreeD
{
    private const int ChunkBytes = 8 << 20;

    /// <summary>
    /// Copies the first <paramref name="sectorSize"/> bytes of <paramref name="data"/> (zero-filled
    /// when the stream ends early) into the tree file's leaf level and, when given, into
    /// <paramref name="sealedCopy"/>; then builds the upper levels. Returns comm_d (the root).
    /// </summary>
    public static async Task<byte[]> BuildAsync(Stream data, ulong sectorSize, string treePath, Stream? sealedCopy, CancellationToken cancellationToken)
    {
        if (sectorSize < 64 || !ulong.IsPow2(sectorSize))
        {
            throw new ArgumentOutOfRangeException(nameof(sectorSize), sectorSize, "sector size must be a power of two of at least 64 bytes");
        }

        var tmp = CacheFiles.Temporary(treePath);
        var buffer = new NativeBuffer(ChunkBytes);
        try
        {
            using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None, (long)((2 * sectorSize) - 32)))
            {
                await CopyLeavesAsync(data, sectorSize, handle, sealedCopy, buffer, cancellationToken).ConfigureAwait(false);
                var root = BuildLevels(handle, sectorSize, buffer, cancellationToken);
                RandomAccess.FlushToDisk(handle);
                File.Move(tmp, treePath, overwrite: true);
                return root;
            }
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Writes the leaves (and the sealed copy) and, from the same chunk in memory, level 1.</summary>
    private static async Task CopyLeavesAsync(Stream data, ulong sectorSize, Microsoft.Win32.SafeHandles.SafeFileHandle tree, Stream? sealedCopy, NativeBuffer buffer, CancellationToken ct)
    {
        var chunk = buffer.Memory;
        ulong written = 0;
        var ended = false;
        while (written < sectorSize)
        {
            var want = (int)Math.Min((ulong)chunk.Length, sectorSize - written);
            var got = 0;
            while (!ended && got < want)
            {
                var n = await data.ReadAsync(chunk[got..want], ct).ConfigureAwait(false);
                if (n == 0)
                {
                    ended = true;
                }

                got += n;
            }

            chunk.Span[got..want].Clear();
            await RandomAccess.WriteAsync(tree, chunk[..want], (long)written, ct).ConfigureAwait(false);
            if (sealedCopy != null)
            {
                await sealedCopy.WriteAsync(chunk[..want], ct).ConfigureAwait(false);
            }

            Sha254.HashPairs(chunk.Span[..want], chunk.Span);
            await RandomAccess.WriteAsync(tree, chunk[..(want / 2)], (long)(sectorSize + (written / 2)), ct).ConfigureAwait(false);
            written += (ulong)want;
        }
    }

    /// <summary>Hashes level k (read back from the file) into level k+1 (appended) until the root; level 1 is already written.</summary>
    private static byte[] BuildLevels(Microsoft.Win32.SafeHandles.SafeFileHandle tree, ulong sectorSize, NativeBuffer buffer, CancellationToken ct)
    {
        var levelStart = sectorSize;
        var levelBytes = sectorSize / 2;
        var span = buffer.Slice(0, ChunkBytes);
        while (levelBytes > 32)
        {
            var nextStart = levelStart + levelBytes;
            for (ulong off = 0; off < levelBytes; off += ChunkBytes)
            {
                ct.ThrowIfCancellationRequested();
                var n = (int)Math.Min(ChunkBytes, levelBytes - off);
                ReadExactly(tree, span[..n], (long)(levelStart + off));
                Sha254.HashPairs(span[..n], span);
                RandomAccess.Write(tree, span[..(n / 2)], (long)(nextStart + (off / 2)));
            }

            levelStart = nextStart;
            levelBytes /= 2;
        }

        var root = new byte[32];
        ReadExactly(tree, root, (long)levelStart);
        return root;
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> into, long offset)
    {
        var done = 0;
        while (done < into.Length)
        {
            var n = RandomAccess.Read(handle, into[done..], offset + done);
            if (n <= 0)
            {
                throw new ProofsException("tree_d file ended early while building it");
            }

            done += n;
        }
    }
}
