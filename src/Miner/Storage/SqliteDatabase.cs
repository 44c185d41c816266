using Dapper;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Storage;

/// <summary>Opens one of the miner's SQLite files in WAL mode and makes sure its schema exists.</summary>
internal static class SqliteDatabase
{
    public static async Task<SqliteConnection> OpenAsync(string path, string schema, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
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
