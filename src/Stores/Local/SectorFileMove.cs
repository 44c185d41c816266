namespace Kiln.Stores.Local;

/// <summary>
/// Lotus storage/paths/util_unix.go <c>Move</c>: a sector file or cache directory moved into another directory under
/// the same base name. A rename when both sides are on one filesystem; otherwise a copy into
/// <c>&lt;dest-parent&gt;/fetching/&lt;name&gt;</c>, each file and directory flushed to disk, renamed into place, the
/// destination directory flushed, and only then the source deleted, so a crash half way leaves the source whole and
/// nothing under the destination's sector name.
/// </summary>
public static class SectorFileMove
{
    /// <summary>Moves <paramref name="from"/> to <paramref name="to"/> (file or directory; base names must match).</summary>
    /// <exception cref="StoresException">Base names differ, the source is missing or the destination already exists.</exception>
    public static void Move(string from, string to)
    {
        if (Path.GetFileName(from) != Path.GetFileName(to))
        {
            throw new StoresException($"move: base names must match ('{Path.GetFileName(from)}' != '{Path.GetFileName(to)}')");
        }

        var isDirectory = Directory.Exists(from);
        if (!isDirectory && !File.Exists(from))
        {
            throw new StoresException($"move: source '{from}' does not exist");
        }

        if (Directory.Exists(to) || File.Exists(to))
        {
            throw new StoresException($"move: destination '{to}' already exists");
        }

        if (SectorPathGuard.SymlinkIn(from) is { } link)
        {
            throw new StoresException($"move: refusing '{link}': a symlink inside a storage path is never moved or followed");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        try
        {
            // rename(2): atomic on one filesystem; EXDEV (another filesystem) surfaces as an IOException.
            if (isDirectory)
            {
                Directory.Move(from, to);
            }
            else
            {
                File.Move(from, to);
            }

            // The data did not move; the rename did: both directories flushed so it survives a crash.
            Durability.FlushParents(from, to);
            return;
        }
        catch (IOException) when ((Directory.Exists(from) || File.Exists(from)) && !Directory.Exists(to) && !File.Exists(to))
        {
            // Another filesystem: copy, then publish.
        }

        var temp = SectorPathGuard.FetchTempPath(to);
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        LocalStore.DeleteEntry(temp);
        if (isDirectory)
        {
            CopyDirectory(from, temp);
        }
        else
        {
            CopyFile(from, temp);
        }

        // Copied files are flushed one by one; their directories, the rename and its parent directory here.
        Durability.PublishRename(temp, to);
        LocalStore.DeleteEntry(from);
        var sourceParent = Path.GetDirectoryName(Path.GetFullPath(from));
        if (sourceParent is not null)
        {
            Durability.FlushDirectory(sourceParent);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var target = Path.Combine(to, Path.GetFileName(entry));
            if (new FileInfo(entry).LinkTarget is not null)
            {
                throw new StoresException($"move: refusing '{entry}': a symlink inside a storage path is never moved or followed");
            }

            if (Directory.Exists(entry))
            {
                CopyDirectory(entry, target);
            }
            else
            {
                CopyFile(entry, target);
            }
        }
    }

    private static void CopyFile(string from, string to)
    {
        using (var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        using (var target = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            source.CopyTo(target, 1 << 20);
            target.Flush(flushToDisk: true);
        }
    }
}
