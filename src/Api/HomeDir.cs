namespace Kiln.Api;

/// <summary>Lotus's <c>homedir.Expand</c> for repo and storage paths given on command lines.</summary>
public static class HomeDir
{
    /// <summary>A leading <c>~</c> (alone or followed by <c>/</c>) is the user's home directory; other paths are returned as given.</summary>
    public static string Expand(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;
    }
}
