namespace Kiln.Worker.Sealing;

/// <summary>
/// rust-fil-proofs <c>clear_cache</c> as Lotus's FinalizeSector runs it: a sealed sector's cache keeps only
/// <c>p_aux</c>, <c>t_aux</c> and the tree-r-last files; layers, tree-c and tree-d go. A PC1-only cache is left empty.
/// </summary>
public static class ClearCache
{
    public const string PAux = "p_aux";

    public const string TAux = "t_aux";

    private const string TreeRLastPrefix = "sc-02-data-tree-r-last";

    /// <summary>Whether a cache file survives finalization.</summary>
    public static bool Keeps(string fileName) =>
        fileName is PAux or TAux
        || (fileName.StartsWith(TreeRLastPrefix, StringComparison.Ordinal) && fileName.EndsWith(".dat", StringComparison.Ordinal));

    /// <summary>Deletes everything in <paramref name="cacheDir"/> that finalization does not keep; returns the names removed.</summary>
    /// <exception cref="DirectoryNotFoundException">No such cache directory.</exception>
    public static IReadOnlyList<string> Run(string cacheDir)
    {
        if (!Directory.Exists(cacheDir))
        {
            throw new DirectoryNotFoundException($"cache directory '{cacheDir}' does not exist");
        }

        var removed = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(cacheDir).Order(StringComparer.Ordinal).ToList())
        {
            var name = Path.GetFileName(entry);
            if (Keeps(name))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }

            removed.Add(name);
        }

        return removed;
    }
}
