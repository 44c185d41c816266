using Kiln.Worker.Run;

namespace Kiln.Worker.Tests;

/// <summary>Regression: kiln-worker wrote the miner's full-permission token into its repo with mode 0644.</summary>
public sealed class WorkerRepoModeTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-wrepo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_repo_is_0700_and_the_miner_token_0600_even_over_an_old_0644_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        var repo = new WorkerRepo(Path.Combine(_dir, "worker"));
        Directory.CreateDirectory(repo.Path);
        File.SetUnixFileMode(repo.Path, (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(repo.TokenFile, "old");
        File.SetUnixFileMode(repo.TokenFile, (UnixFileMode)0b110_100_100);

        await repo.InitializeAsync(noLocalStorage: true, CancellationToken.None);
        repo.WriteToken("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln");

        Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(repo.Path));
        Assert.Equal(Owner, File.GetUnixFileMode(repo.TokenFile));
        Assert.Equal("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln", repo.ReadToken());
    }
}
