using Dapper;
using Npgsql;

namespace Kiln.Stores.Sql;

/// <summary>PostgreSQL connection strings as operators write them, and versioned schema migrations.</summary>
public static class PostgresConnection
{
    /// <summary>
    /// An Npgsql connection string from a <c>postgres://user:password@host:port/database?sslmode=…</c> URL (libpq's
    /// form), or the string unchanged when it is already in Npgsql's <c>Host=…;Database=…</c> form.
    /// </summary>
    /// <exception cref="FormatException">Neither form.</exception>
    public static string Normalize(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (!connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"not a PostgreSQL connection string or postgres:// URL: {e.Message}", e);
            }
        }

        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"not a postgres://user:password@host:port/database URL: {connectionString}");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user[0]);
        }

        if (user.Length > 1)
        {
            builder.Password = Uri.UnescapeDataString(user[1]);
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            builder.Database = Uri.UnescapeDataString(database);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key switch { "sslmode" => "SSL Mode", "connect_timeout" => "Timeout", "application_name" => "Application Name", _ => key }] = value;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"postgres:// URL parameter '{key}' is not understood: {e.Message}", e);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Brings <paramref name="component"/>'s tables to <paramref name="version"/>: <paramref name="steps"/>[i] takes the
    /// schema from version i to i + 1, each in its own transaction with the version recorded in <c>kiln_schema</c>. A
    /// database already past <paramref name="version"/> is refused, naming both versions.
    /// </summary>
    /// <exception cref="StoresException">The database cannot be reached, or is newer than this kiln-miner.</exception>
    public static async Task MigrateAsync(NpgsqlDataSource source, string component, int version, IReadOnlyList<string> steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(steps);
        try
        {
            var c = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var cScope = c.ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition("CREATE TABLE IF NOT EXISTS kiln_schema (component TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)", cancellationToken: ct)).ConfigureAwait(false);
            while (true)
            {
                var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var txScope = tx.ConfigureAwait(false);
                var current = await c.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT version FROM kiln_schema WHERE component = @component FOR UPDATE", new { component }, tx, cancellationToken: ct)).ConfigureAwait(false) ?? 0;
                if (current > version)
                {
                    throw new StoresException($"the database's {component} schema is version {current}; this kiln-miner knows versions up to {version}: run a newer kiln-miner");
                }

                if (current == version)
                {
                    return;
                }

                await c.ExecuteAsync(new CommandDefinition(steps[current], transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO kiln_schema (component, version) VALUES (@component, @next) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                    new { component, next = current + 1 },
                    tx,
                    cancellationToken: ct)).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException e)
        {
            throw new StoresException($"PostgreSQL database {Describe(source)}: {e.Message}", isRetryable: e.IsTransient, e);
        }
    }

    /// <summary>
    /// Claims the database for miner actor <paramref name="actorId"/> (recorded in <c>kiln_miner</c> the first time); a
    /// database already claimed by another actor is refused, naming both, so two miners never share one index.
    /// </summary>
    /// <exception cref="StoresException">The database cannot be reached, or belongs to another miner actor.</exception>
    public static async Task ClaimMinerAsync(string connectionString, ulong actorId, CancellationToken ct)
    {
        var source = NpgsqlDataSource.Create(Normalize(connectionString));
        await using var sourceScope = source.ConfigureAwait(false);
        await MigrateAsync(source, "miner", 1, ["CREATE TABLE IF NOT EXISTS kiln_miner (singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1), actor_id BIGINT NOT NULL)"], ct).ConfigureAwait(false);
        try
        {
            var c = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var cScope = c.ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition("INSERT INTO kiln_miner (singleton, actor_id) VALUES (1, @actor) ON CONFLICT (singleton) DO NOTHING", new { actor = unchecked((long)actorId) }, cancellationToken: ct)).ConfigureAwait(false);
            var owner = unchecked((ulong)await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT actor_id FROM kiln_miner WHERE singleton = 1", cancellationToken: ct)).ConfigureAwait(false));
            if (owner != actorId)
            {
                throw new StoresException($"PostgreSQL database {Describe(source)} holds the state of miner f0{owner}; this kiln-miner is configured as f0{actorId}: give each miner actor its own database");
            }
        }
        catch (NpgsqlException e)
        {
            throw new StoresException($"PostgreSQL database {Describe(source)}: {e.Message}", isRetryable: e.IsTransient, e);
        }
    }

    /// <summary>Host and database of a data source, without its password.</summary>
    public static string Describe(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var b = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        return $"{b.Database ?? "(default)"} on {b.Host}{(b.Port != NpgsqlConnection.DefaultPort ? ":" + b.Port : "")}";
    }
}
