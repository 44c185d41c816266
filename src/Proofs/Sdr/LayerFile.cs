using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Layer files (<c>sc-02-data-layer-N.dat</c>) to and from native memory, for contiguous layer buffers and
/// for layers held as pool blocks alike: written through <c>..tmp</c>, flushed and renamed, so a crash
/// leaves either no file or a whole one; read back with a clear error when the file is short.
/// </summary>
internal static unsafe class LayerFile
{
    /// <summary>Largest single read or write.</summary>
    private const ulong Chunk = 1 << 30;

    /// <summary>Writes <paramref name="count"/> regions of <paramref name="regionBytes"/> each, in order, as the file <paramref name="path"/>.</summary>
    public static void Write(string path, byte** regions, int count, ulong regionBytes)
    {
        var tmp = CacheFiles.Temporary(path);
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, (long)(regionBytes * (ulong)count)))
        {
            for (var i = 0; i < count; i++)
            {
                for (ulong done = 0; done < regionBytes; done += Chunk)
                {
                    var n = (int)Math.Min(Chunk, regionBytes - done);
                    RandomAccess.Write(handle, new ReadOnlySpan<byte>(regions[i] + done, n), (long)(((ulong)i * regionBytes) + done));
                }
            }

            RandomAccess.FlushToDisk(handle);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> of the open layer file into <paramref name="destination"/>.</summary>
    public static void Read(SafeFileHandle handle, string path, byte* destination, ulong length, long offset)
    {
        for (ulong done = 0; done < length;)
        {
            var read = RandomAccess.Read(handle, new Span<byte>(destination + done, (int)Math.Min(Chunk, length - done)), offset + (long)done);
            if (read <= 0)
            {
                throw new ProofsException($"layer file {path} is shorter than the layer ({(ulong)offset + done} of at least {(ulong)offset + length} bytes)");
            }

            done += (ulong)read;
        }
    }
}
