namespace Kiln.Stores.Local;

/// <summary>Bytes used by a file or a directory tree (sizes of the files in it), 0 when it does not exist.</summary>
internal static class DiskUsage
{
    public static long Of(string path)
    {
        if (File.Exists(path))
        {
            return new FileInfo(path).Length;
        }

        if (!Directory.Exists(path))
        {
            return 0;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var f in new DirectoryInfo(path).EnumerateFiles("*", options))
        {
            total += f.Length;
        }

        return total;
    }
}
