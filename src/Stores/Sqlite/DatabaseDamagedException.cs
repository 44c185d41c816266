namespace Kiln.Stores.Sqlite;

/// <summary>
/// A SQLite file that failed its check at open (zero bytes, not a database, or <c>PRAGMA quick_check</c> errors).
/// The process stops rather than start on an empty database; the message names the file, its backup and how to restore.
/// </summary>
public sealed class DatabaseDamagedException(string path, string cause, string message)
    : StoresException(message)
{
    /// <summary>The damaged database file.</summary>
    public string Path { get; } = path;

    /// <summary>What the check found, e.g. <c>file is empty (0 bytes)</c>.</summary>
    public string Cause { get; } = cause;
}
