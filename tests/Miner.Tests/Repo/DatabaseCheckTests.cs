using System.CommandLine;
using System.Net;
using Kiln.Miner.Cli;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;

namespace Kiln.Miner.Tests.Repo;

/// <summary>
/// Regression: a zero-length or malformed database file used to become a silent empty
/// database (sectors.sqlite → the next pledge reused sector number 1) or abort the process. Now the miner refuses to
/// start, names the file and its backup, leaves the file as it was, and <c>kiln-miner db restore</c> brings the backup back.
/// </summary>
public sealed class DatabaseCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-db-").FullName;

    private string RepoPath => Path.Combine(_dir, "repo");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<MinerHost> StartAsync() =>
        MinerHost.StartAsync(MinerRepo.Open(RepoPath), new MinerOptions { DatabaseBackupInterval = TimeSpan.Zero }, new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None, Microsoft.Extensions.Logging.LogLevel.Warning);

    private Task<int> CliAsync(params string[] args) =>
        MinerCli.Build().Parse([.. args, "--repo", RepoPath]).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });

    public static TheoryData<string> Databases() => [.. MinerDatabases.Names];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_zero_length_database_stops_the_miner_and_names_the_file(string name)
    {
        await (await StartAsync()).DisposeAsync();
        var file = Path.Combine(RepoPath, name + ".sqlite");
        await File.WriteAllBytesAsync(file, []);

        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(StartAsync);

        Assert.Equal(file, e.Path);
        Assert.Equal("file is empty (0 bytes)", e.Cause);
        Assert.Contains(file + " is damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains(file + ".bak", e.Message, StringComparison.Ordinal);
        Assert.Contains("kiln-miner db restore " + name, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(file).Length);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_malformed_database_stops_the_miner_and_is_left_as_it_was(string name)
    {
        await (await StartAsync()).DisposeAsync();
        var file = Path.Combine(RepoPath, name + ".sqlite");
        var garbage = new byte[8192];
        new Random(13).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage);
        File.Delete(file + "-wal");
        File.Delete(file + "-shm");

        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(StartAsync);

        Assert.Equal(file, e.Path);
        Assert.Contains("not a SQLite database", e.Cause, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task A_fresh_repo_gets_every_database_with_a_header_and_a_backup_at_clean_shutdown()
    {
        await (await StartAsync()).DisposeAsync();
        foreach (var name in MinerDatabases.Names)
        {
            var file = Path.Combine(RepoPath, name + ".sqlite");
            Assert.True(new FileInfo(file).Length >= 4096, $"{file} has no header page");
            Assert.Null(await SqliteFiles.CheckAsync(file + ".bak", CancellationToken.None));
        }
    }

    [Fact]
    public async Task Restore_brings_back_the_sectors_and_the_next_pledge_does_not_reuse_a_number()
    {
        await using (var host = await StartAsync())
        {
            await host.Pipeline.PledgeAsync(CancellationToken.None);
            await host.Pipeline.PledgeAsync(CancellationToken.None);
        }

        var sectors = Path.Combine(RepoPath, "sectors.sqlite");
        await File.WriteAllBytesAsync(sectors, []);
        Assert.Equal(1, await CliAsync("db", "check", "sectors"));
        await Assert.ThrowsAsync<DatabaseDamagedException>(StartAsync);

        Assert.Equal(0, await CliAsync("db", "restore", "sectors"));

        Assert.Single(Directory.GetFiles(RepoPath, "sectors.sqlite.damaged-*"));
        Assert.Equal(0, await CliAsync("db", "check"));
        await using (var host = await StartAsync())
        {
            Assert.Equal([1UL, 2UL], (await host.Pipeline.ListAsync(CancellationToken.None)).Select(s => s.Number).Order());
            Assert.Equal(3UL, (await host.Pipeline.PledgeAsync(CancellationToken.None)).Number);
        }
    }

    [Fact]
    public async Task Backup_of_a_damaged_database_keeps_the_previous_backup()
    {
        await (await StartAsync()).DisposeAsync();
        var works = Path.Combine(RepoPath, "works.sqlite");
        var before = await File.ReadAllBytesAsync(works + ".bak");
        await File.WriteAllBytesAsync(works, new byte[100]);

        await Assert.ThrowsAsync<DatabaseDamagedException>(() => SqliteFiles.BackupAsync(works, "kiln-miner db restore works", CancellationToken.None));

        Assert.Equal(before, await File.ReadAllBytesAsync(works + ".bak"));
    }
}
