using Dapper;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Storage;

/// <summary>
/// Opens one of the miner's SQLite files in WAL mode and makes sure its schema exists. The file is checked first
/// (<see cref="SqliteFiles.PrepareAsync"/>): a zero-length or malformed file stops the miner with a message naming the
/// file, its backup and <c>kiln-miner db restore</c>, never a silently recreated empty database.
/// </summary>
internal static class SqliteDatabase
{
    /// <summary>The database files in a miner repo (<c>&lt;name&gt;.sqlite</c>), in the order the miner opens them.</summary>
    public static readonly IReadOnlyList<string> MinerDatabases = ["index", "jobs", "works", "sectors", "deadlines"];

    /// <summary>How to restore the database at <paramref name="path"/> from its backup.</summary>
    public static string RestoreHint(string path) => "kiln-miner db restore " + Path.GetFileNameWithoutExtension(path);

    public static async Task<SqliteConnection> OpenAsync(string path, string schema, CancellationToken ct)
    {
        await SqliteFiles.PrepareAsync(path, RestoreHint(path), ct).ConfigureAwait(false);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        try
        {
            await db.OpenAsync(ct).ConfigureAwait(false);
            await db.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;\n" + schema, cancellationToken: ct)).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
