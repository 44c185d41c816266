using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>Opening and positional reading of tree store and replica files, with errors that name the file.</summary>
internal static class StoreFile
{
    /// <summary>Opens <paramref name="path"/> for positional reads.</summary>
    /// <exception cref="ProofsException">The file does not exist or cannot be opened.</exception>
    public static SafeFileHandle OpenRead(string path, string what) => Open(path, what, FileAccess.Read);

    public static SafeFileHandle Open(string path, string what, FileAccess access)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, access, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ProofsException($"{what} file {path} does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProofsException($"{what} file {path} cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Checks the file holds exactly <paramref name="expected"/> bytes, or with <paramref name="atLeast"/> no fewer.</summary>
    /// <exception cref="ProofsException">It does not.</exception>
    public static void CheckLength(SafeFileHandle handle, string path, string what, long expected, bool atLeast = false)
    {
        var length = RandomAccess.GetLength(handle);
        if (length != expected && !(atLeast && length > expected))
        {
            throw new ProofsException($"{what} file {path} is {length} bytes, expected {(atLeast ? "at least " : string.Empty)}{expected}");
        }
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>.</summary>
    /// <exception cref="ProofsException">The file ends first (it shrank after it was opened).</exception>
    public static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, string path, string what)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[done..], offset + done);
            if (n <= 0)
            {
                throw new ProofsException($"{what} file {path} ends at byte {offset + done}; {destination.Length - done} more bytes were expected at offset {offset + done}");
            }

            done += n;
        }
    }
}
