namespace Kiln.Miner.Repo;

/// <summary>
/// The SQLite files in a miner repo (<c>&lt;name&gt;.sqlite</c>), opened through
/// <see cref="Kiln.Stores.Sqlite.SqliteDatabase"/>, and how an operator restores one from its backup.
/// </summary>
internal static class MinerDatabases
{
    /// <summary>The database names, in the order the miner opens them.</summary>
    public static readonly IReadOnlyList<string> Names = ["index", "jobs", "works", "sectors", "deadlines"];

    /// <summary>How to restore the database at <paramref name="path"/> from its backup.</summary>
    public static string RestoreHint(string path) => "kiln-miner db restore " + Path.GetFileNameWithoutExtension(path);
}
