using System.Diagnostics.CodeAnalysis;
using Kiln.Api.Types;

namespace Kiln.Stores;

/// <summary>
/// The one place that turns names from outside (URL segments, tar member names, sector names) into file paths.
/// Every segment must be a plain name, and the result must stay inside the root.
/// </summary>
public static class SectorPathGuard
{
    /// <summary>Lotus <c>FetchTempSubdir</c>: where a fetch lands before it is moved into place.</summary>
    public const string FetchingDir = "fetching";

    /// <summary><c>&lt;root&gt;/&lt;type&gt;/s-t0&lt;miner&gt;-&lt;number&gt;</c> for a single file type.</summary>
    public static string SectorPath(string root, SectorId sector, SectorFileType fileType) =>
        Child(root, SectorFileTypes.NameOf(fileType) ?? ThrowNotSingle(fileType), sector.ToSectorName());

    /// <summary><c>&lt;dir&gt;/fetching/&lt;name&gt;</c> for the final destination <paramref name="dest"/>.</summary>
    public static string FetchTempPath(string dest)
    {
        var parent = Path.GetDirectoryName(dest) ?? throw new StoresException($"no parent directory for '{dest}'");
        return Child(parent, FetchingDir, Path.GetFileName(dest));
    }

    /// <summary><paramref name="root"/> joined with plain-name <paramref name="segments"/>; anything else throws.</summary>
    /// <exception cref="StoresException">A segment is empty, <c>.</c>, <c>..</c>, rooted or holds a separator, or the result leaves the root.</exception>
    public static string Child(string root, params ReadOnlySpan<string> segments)
    {
        var rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var path = rootFull;
        foreach (var s in segments)
        {
            if (!IsPlainName(s))
            {
                throw new StoresException($"refusing path segment '{s}'");
            }

            path = Path.Combine(path, s);
        }

        var full = Path.GetFullPath(path);
        if (!full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new StoresException($"refusing path outside '{rootFull}'");
        }

        return full;
    }

    /// <summary>A single file name: not empty, not <c>.</c>/<c>..</c>, no separators, no NUL or control characters.</summary>
    public static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name is not "." and not ".."
        && name.Length <= 255
        && name.IndexOfAny(['/', '\\', ':']) < 0
        && !name.Any(char.IsControl)
        && !Path.IsPathRooted(name);

    /// <summary>
    /// The first symlink among <paramref name="path"/> itself and (for a directory) its top-level entries, or null.
    /// Links inside storage paths are never followed, served, tarred, moved or proven from.
    /// </summary>
    public static string? SymlinkIn(string path)
    {
        var info = Directory.Exists(path) ? (FileSystemInfo)new DirectoryInfo(path) : new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return path;
        }

        return info is DirectoryInfo dir
            ? dir.EnumerateFileSystemInfos().FirstOrDefault(e => e.LinkTarget is not null)?.FullName
            : null;
    }

    [DoesNotReturn]
    private static string ThrowNotSingle(SectorFileType t) =>
        throw new StoresException($"not a single sector file type: {SectorFileTypes.Format(t)}");
}
