using Kiln.Api;
using Kiln.Api.Auth;

namespace Kiln.Miner.Repo;

/// <summary>
/// The miner's repo directory, laid out as lotus-miner's: <c>keystore/</c> with the JWT secret,
/// <c>token</c> (a full-permission token), <c>api</c> (the listen multiaddr), and Kiln's SQLite files. The directory
/// and the keystore are 0700, the token 0600.
/// </summary>
public sealed class MinerRepo
{
    /// <summary>Kiln's own variable for the repo; <c>LOTUS_MINER_PATH</c> is honoured too.</summary>
    public const string PathVariable = "KILN_MINER_PATH";

    public const string LotusPathVariable = "LOTUS_MINER_PATH";

    public const string DefaultDirectoryName = ".kilnminer";

    private MinerRepo(string path, ApiSecret secret)
    {
        Path = path;
        Secret = secret;
    }

    public string Path { get; }

    public ApiSecret Secret { get; }

    public string TokenFile => System.IO.Path.Combine(Path, "token");

    public string ApiFile => System.IO.Path.Combine(Path, "api");

    /// <summary>The miner's own storage paths (lotus-miner's <c>storage.json</c>); none until <c>storage attach</c>.</summary>
    public string StorageConfigFile => System.IO.Path.Combine(Path, "storage.json");

    public string Database(string name) => System.IO.Path.Combine(Path, name + ".sqlite");

    /// <summary>--repo, else KILN_MINER_PATH, else LOTUS_MINER_PATH, else ~/.kilnminer.</summary>
    public static string Resolve(string? flag, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var chosen = flag ?? environment(PathVariable) ?? environment(LotusPathVariable);
        if (string.IsNullOrWhiteSpace(chosen))
        {
            chosen = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), DefaultDirectoryName);
        }

        return System.IO.Path.GetFullPath(HomeDir.Expand(chosen));
    }

    /// <summary>Opens (creating on first use) the repo: secret in the keystore and the full-permission token file.</summary>
    public static MinerRepo Open(string path)
    {
        PrivateFiles.CreateDirectory(path);
        PrivateFiles.CreateDirectory(System.IO.Path.Combine(path, "keystore"));
        var secret = ApiSecret.LoadOrCreate(System.IO.Path.Combine(path, "keystore"));
        var repo = new MinerRepo(path, secret);
        var token = repo.TokenFile;
        if (!File.Exists(token) || !IsValid(secret, File.ReadAllText(token).Trim()))
        {
            PrivateFiles.Write(token, secret.CreateToken(Permission.All));
        }
        else
        {
            // A token file left readable by an older version: owner only, as the keystore.
            PrivateFiles.Narrow(token);
        }

        return repo;
    }

    /// <summary>The full-permission token Lotus writes to <c>&lt;repo&gt;/token</c>.</summary>
    public string ReadToken() => File.ReadAllText(TokenFile).Trim();

    /// <summary>Records where the API listens (e.g. <c>/ip4/127.0.0.1/tcp/2345/http</c>) for CLI commands and workers.</summary>
    public void WriteApi(string multiaddr) => File.WriteAllText(ApiFile, multiaddr);

    public string? ReadApi() => File.Exists(ApiFile) ? File.ReadAllText(ApiFile).Trim() : null;

    private static bool IsValid(ApiSecret secret, string token)
    {
        try
        {
            secret.Verify(token);
            return true;
        }
        catch (AuthVerificationException)
        {
            return false;
        }
    }
}
