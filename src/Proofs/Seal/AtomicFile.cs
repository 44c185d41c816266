namespace Kiln.Proofs.Seal;

/// <summary>Small files written whole or not at all: a temporary beside the target, flushed, then renamed over it.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        var tmp = path + ".tmp";
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, contents, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
