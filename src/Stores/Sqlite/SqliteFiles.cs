using System.Globalization;
using Dapper;
using Kiln.Api;
using Microsoft.Data.Sqlite;

namespace Kiln.Stores.Sqlite;

/// <summary>
/// Checks, creates, backs up and restores Kiln's SQLite files. A missing file is created atomically (a header page is
/// written under a temporary name, then renamed), so a zero-length file only ever means damage; an existing file must
/// pass <c>PRAGMA quick_check</c> before it is used. Backups (<c>&lt;file&gt;.bak</c>) are written with SQLite's online
/// backup API, which is safe while the database is in use, and only from a source that passes the check. Files
/// written here (new databases, backups, restored files) have mode 0600. <see cref="SqliteDatabase"/> opens them.
/// </summary>
public static class SqliteFiles
{
    /// <summary>What a backup's name adds to its database's.</summary>
    public const string BackupSuffix = ".bak";

    /// <summary><c>SQLITE_CORRUPT</c>.</summary>
    private const int SqliteCorrupt = 11;

    /// <summary><c>SQLITE_NOTADB</c>.</summary>
    private const int SqliteNotADatabase = 26;

    /// <summary>Where the backup of <paramref name="path"/> lives.</summary>
    public static string BackupPath(string path) => path + BackupSuffix;

    /// <summary>
    /// Makes sure <paramref name="path"/> is a database that passes its check, creating an empty one when the file does
    /// not exist. <paramref name="restoreHint"/> tells the operator how to restore (e.g. <c>kiln-miner db restore works</c>).
    /// </summary>
    /// <exception cref="DatabaseDamagedException">The file is empty, not a database, or fails <c>quick_check</c>.</exception>
    public static async Task PrepareAsync(string path, string restoreHint, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (!File.Exists(full))
        {
            await CreateAsync(full, ct).ConfigureAwait(false);
            return;
        }

        var cause = await CheckAsync(full, ct).ConfigureAwait(false);
        if (cause is not null)
        {
            throw Damaged(full, cause, restoreHint);
        }
    }

    /// <summary>Null when <paramref name="path"/> is a healthy database; otherwise what is wrong with it.</summary>
    public static async Task<string?> CheckAsync(string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return "file does not exist";
        }

        if (info.Length == 0)
        {
            return "file is empty (0 bytes)";
        }

        try
        {
            var c = await OpenExistingAsync(path, ct).ConfigureAwait(false);
            await using var cScope = c.ConfigureAwait(false);
            var rows = (await c.QueryAsync<string>(new CommandDefinition("PRAGMA quick_check(5)", cancellationToken: ct)).ConfigureAwait(false)).ToList();
            return rows is ["ok"] ? null : "quick_check: " + string.Join("; ", rows);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            return e.SqliteErrorCode == SqliteNotADatabase ? "not a SQLite database (file is not a database)" : "malformed: " + e.Message;
        }
    }

    /// <summary>
    /// Writes <c>&lt;path&gt;.bak</c> with SQLite's online backup API (consistent even while other connections write)
    /// after checking the source; the old backup is replaced only once the new one is complete and checked.
    /// Returns false when <paramref name="path"/> does not exist.
    /// </summary>
    /// <exception cref="DatabaseDamagedException">The source fails its check: the existing backup is kept.</exception>
    public static async Task<bool> BackupAsync(string path, string restoreHint, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return false;
        }

        var cause = await CheckAsync(full, ct).ConfigureAwait(false);
        if (cause is not null)
        {
            throw Damaged(full, cause, restoreHint);
        }

        var backup = BackupPath(full);
        var temporary = backup + ".new";
        DeleteWithSidecars(temporary);
        try
        {
            var source = await OpenExistingAsync(full, ct).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new SqliteConnection(ConnectionString(temporary, SqliteOpenMode.ReadWriteCreate));
                await using (target.ConfigureAwait(false))
                {
                    await target.OpenAsync(ct).ConfigureAwait(false);
                    source.BackupDatabase(target);
                    // A single file, no -wal beside it: the backup restores by copying one file.
                    await target.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = DELETE", cancellationToken: ct)).ConfigureAwait(false);
                }
            }

            var check = await CheckAsync(temporary, ct).ConfigureAwait(false);
            if (check is not null)
            {
                throw new IOException($"backup of {full} to {temporary} failed its check ({check}); the previous backup {backup} is kept");
            }

            FlushFile(temporary);
            PrivateFiles.Narrow(temporary);
            File.Move(temporary, backup, overwrite: true);
            return true;
        }
        finally
        {
            DeleteWithSidecars(temporary);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with its backup. The current file (and its <c>-wal</c>/<c>-shm</c>) is kept
    /// beside it as <c>&lt;path&gt;.damaged-&lt;utc time&gt;</c>; returns that name, or null when there was no file.
    /// The process using the database must be stopped.
    /// </summary>
    public static async Task<string?> RestoreAsync(string path, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var full = Path.GetFullPath(path);
        var backup = BackupPath(full);
        if (!File.Exists(backup))
        {
            throw new FileNotFoundException($"no backup {backup} to restore {full} from (backups are written by `kiln-miner db backup` and on every clean shutdown)", backup);
        }

        var check = await CheckAsync(backup, ct).ConfigureAwait(false);
        if (check is not null)
        {
            throw new IOException($"the backup {backup} is damaged too ({check}); {full} is left as it is");
        }

        string? kept = null;
        if (File.Exists(full))
        {
            kept = full + ".damaged-" + time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            File.Move(full, kept);
            foreach (var sidecar in new[] { "-wal", "-shm", "-journal" })
            {
                if (File.Exists(full + sidecar))
                {
                    File.Move(full + sidecar, kept + sidecar);
                }
            }
        }

        var temporary = full + ".restore";
        File.Copy(backup, temporary, overwrite: true);
        FlushFile(temporary);
        PrivateFiles.Narrow(temporary);
        File.Move(temporary, full);
        return kept;
    }

    private static async Task CreateAsync(string full, CancellationToken ct)
    {
        var temporary = full + ".new";
        DeleteWithSidecars(temporary);
        try
        {
            var c = new SqliteConnection(ConnectionString(temporary, SqliteOpenMode.ReadWriteCreate));
            await using (c.ConfigureAwait(false))
            {
                await c.OpenAsync(ct).ConfigureAwait(false);
                // Switching to WAL writes the header page: the file is never published with zero bytes.
                await c.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: ct)).ConfigureAwait(false);
            }

            FlushFile(temporary);
            PrivateFiles.Narrow(temporary);
            File.Move(temporary, full);
        }
        finally
        {
            DeleteWithSidecars(temporary);
        }
    }

    private static async Task<SqliteConnection> OpenExistingAsync(string path, CancellationToken ct)
    {
        var c = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWrite));
        try
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string ConnectionString(string path, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString();

    private static DatabaseDamagedException Damaged(string full, string cause, string restoreHint)
    {
        var backup = BackupPath(full);
        var saved = File.Exists(backup)
            ? string.Create(CultureInfo.InvariantCulture, $"the backup {backup} was written {File.GetLastWriteTimeUtc(backup):yyyy-MM-dd HH:mm:ss} UTC; to restore it, stop the process and run `{restoreHint}` (the damaged file is kept beside it)")
            : $"there is no backup ({backup} does not exist): move {full} away to start with an empty database (what it recorded is lost), or repair it with the sqlite3 shell's .recover";
        return new DatabaseDamagedException(full, cause, $"database {full} is damaged: {cause}. Not starting on it, so nothing is silently lost; {saved}");
    }

    private static void FlushFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        f.Flush(flushToDisk: true);
    }

    private static void DeleteWithSidecars(string path)
    {
        foreach (var p in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(p);
        }
    }
}
