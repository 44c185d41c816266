using System.Runtime.InteropServices;

namespace Kiln.Stores.Local;

/// <summary>
/// Files durable before they are published: file contents flushed to disk before the rename that makes them visible
/// under their final name, and the directory that holds the new name flushed after it, so that a power loss leaves
/// either nothing or the whole file under a sector's name — never a name pointing at lost data. Directories are
/// flushed with <c>open(O_RDONLY)</c> + <c>fsync(2)</c> (.NET opens no handle on a directory); on Windows, which has
/// no directory fsync, only files are flushed.
/// </summary>
public static partial class Durability
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    /// <summary>Flushes one file's contents to disk.</summary>
    /// <exception cref="IOException">The file cannot be opened or flushed.</exception>
    public static void FlushFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Flushes a directory's entries (names created, renamed or removed in it) to disk.</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(dir, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"opening directory '{dir}' to flush it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"flushing directory '{dir}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>A file, or a directory with every file and directory under it, flushed to disk.</summary>
    public static void FlushTree(string path)
    {
        if (!Directory.Exists(path))
        {
            FlushFile(path);
            return;
        }

        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            FlushTree(entry.FullName);
        }

        FlushDirectory(path);
    }

    /// <summary>
    /// Publishes <paramref name="temp"/> (a file or a directory tree) as <paramref name="dest"/>: its contents flushed,
    /// renamed (same filesystem), then the directories of both names flushed so the rename itself survives a crash.
    /// </summary>
    /// <exception cref="IOException">Flushing or the rename failed; <paramref name="temp"/> is then still in place.</exception>
    public static void PublishRename(string temp, string dest, bool overwrite = false)
    {
        FlushTree(temp);
        if (Directory.Exists(temp))
        {
            Directory.Move(temp, dest);
        }
        else
        {
            File.Move(temp, dest, overwrite);
        }

        FlushParents(temp, dest);
    }

    /// <summary>The directories holding <paramref name="from"/> and <paramref name="to"/> flushed after a rename between them.</summary>
    public static void FlushParents(string from, string to)
    {
        var destParent = Path.GetDirectoryName(Path.GetFullPath(to));
        var sourceParent = Path.GetDirectoryName(Path.GetFullPath(from));
        if (destParent is not null)
        {
            FlushDirectory(destParent);
        }

        if (sourceParent is not null && sourceParent != destParent && Directory.Exists(sourceParent))
        {
            FlushDirectory(sourceParent);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
