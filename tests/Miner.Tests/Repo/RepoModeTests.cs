using Kiln.Miner.Repo;

namespace Kiln.Miner.Tests.Repo;

/// <summary>The repo holds the API secret and a full-permission token; only its owner may read them.</summary>
public sealed class RepoModeTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = Owner | UnixFileMode.UserExecute;

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-repo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_new_repo_is_0700_with_a_0600_token_and_keystore()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        var repo = MinerRepo.Open(Path.Combine(_dir, "a", "repo"));

        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(repo.Path));
        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(Path.Combine(repo.Path, "keystore")));
        Assert.Equal(Owner, File.GetUnixFileMode(repo.TokenFile));
        Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(repo.Path, "keystore", Kiln.Api.Auth.ApiSecret.KeystoreFileName)));
        Assert.Equal(repo.Secret.Verify(repo.ReadToken()), Kiln.Api.Permission.All);
    }

    [Fact]
    public void An_older_world_readable_repo_is_narrowed_and_keeps_its_token()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        var path = Path.Combine(_dir, "repo");
        var token = MinerRepo.Open(path).ReadToken();
        var open = OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(path, open);
        File.SetUnixFileMode(Path.Combine(path, "token"), Owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var repo = MinerRepo.Open(path);

        Assert.Equal(token, repo.ReadToken());
        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(path));
        Assert.Equal(Owner, File.GetUnixFileMode(repo.TokenFile));
    }
}
