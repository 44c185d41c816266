using Npgsql;

namespace Kiln.Testing;

/// <summary>
/// A fresh PostgreSQL database for one test class on the throwaway cluster <c>scripts/test.sh</c> starts
/// (<c>scripts/postgres.sh</c>: initdb + pg_ctl in a temporary directory), named by <c>KILN_TEST_POSTGRES</c>; dropped
/// when disposed. Without that variable the tests that need it fail saying how to get one: they are never skipped.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>The environment variable holding the Npgsql connection string of the test cluster.</summary>
    public const string EnvironmentVariable = "KILN_TEST_POSTGRES";

    private readonly string _server;

    private PostgresTestDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>The Npgsql connection string of the new database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a database with a unique name on the test cluster.</summary>
    /// <exception cref="InvalidOperationException">No test cluster is configured, or it cannot be reached.</exception>
    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set: these tests need a PostgreSQL server. Run them with scripts/test.sh, which starts a throwaway cluster (scripts/postgres.sh start DIR prints the connection string to set).");
        }

        var name = "kiln_test_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException($"the PostgreSQL test cluster of {EnvironmentVariable} ({server}) cannot be reached: {e.Message}", e);
        }

        return new PostgresTestDatabase(server, name, new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
