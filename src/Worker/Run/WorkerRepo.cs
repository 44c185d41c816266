using Kiln.Api;
using System.Globalization;
using System.Net;
using Kiln.Stores.Local;

namespace Kiln.Worker.Run;

/// <summary>
/// The worker repo (lotus-worker's <c>~/.lotusworker</c>; kiln-worker's <c>~/.kilnworker</c>): <c>storage.json</c>,
/// the miner's <c>token</c>, the <c>api</c> multiaddr the worker listens on, and the call tracker <c>calls.sqlite</c>.
/// The directory is 0700 and the token 0600 (lotus-worker leaves the token at the umask's mode).
/// </summary>
public sealed class WorkerRepo
{
    /// <summary>kiln-worker's default repo directory name under the home directory.</summary>
    public const string DefaultDirectoryName = ".kilnworker";

    /// <summary>Environment variables naming the repo, first set wins (lotus-worker's).</summary>
    public static readonly IReadOnlyList<string> PathVariables = ["LOTUS_WORKER_PATH", "WORKER_PATH"];

    public WorkerRepo(string path)
    {
        Path = System.IO.Path.GetFullPath(HomeDir.Expand(path));
    }

    public string Path { get; }

    public string StorageConfigFile => System.IO.Path.Combine(Path, StorageConfig.FileName);

    public string TokenFile => System.IO.Path.Combine(Path, "token");

    public string ApiFile => System.IO.Path.Combine(Path, "api");

    public string CallsDatabase => System.IO.Path.Combine(Path, "calls.sqlite");

    /// <summary><c>--worker-repo</c>, else <c>LOTUS_WORKER_PATH</c>, else <c>WORKER_PATH</c>, else <c>~/.kilnworker</c>.</summary>
    public static string Resolve(string? flag, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(flag))
        {
            return flag;
        }

        foreach (var name in PathVariables)
        {
            if (environment(name) is { Length: > 0 } value)
            {
                return value;
            }
        }

        return System.IO.Path.Combine("~", DefaultDirectoryName);
    }

    /// <summary>Creates the directory; on first run (no storage.json) writes one, with a sealing path in the repo unless <paramref name="noLocalStorage"/>.</summary>
    public async Task InitializeAsync(bool noLocalStorage, CancellationToken ct)
    {
        // 0700: the repo holds the miner's token.
        PrivateFiles.CreateDirectory(Path);
        if (File.Exists(StorageConfigFile))
        {
            return;
        }

        var paths = new List<LocalPathConfig>();
        if (!noLocalStorage && !File.Exists(System.IO.Path.Combine(Path, LocalStorageMeta.FileName)))
        {
            var meta = new LocalStorageMeta(Kiln.Api.Types.StorageId.New(), 10, CanSeal: true, CanStore: false, 0, null, null, null, null, null, null);
            await meta.SaveAsync(Path, ct).ConfigureAwait(false);
            paths.Add(new LocalPathConfig(Path));
        }

        await new StorageConfig(paths).SaveAsync(StorageConfigFile, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the miner's token (it may grant admin) with mode 0600.</summary>
    public void WriteToken(string token) => PrivateFiles.Write(TokenFile, token);

    /// <summary>Writes <c>/ip4/&lt;ip&gt;/tcp/&lt;port&gt;</c> (no <c>/http</c>), as lotus-worker does.</summary>
    public void WriteApi(IPAddress ip, int port) =>
        File.WriteAllText(ApiFile, string.Create(CultureInfo.InvariantCulture, $"/{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ip6" : "ip4")}/{ip}/tcp/{port}"));

    public string? ReadToken() => File.Exists(TokenFile) ? File.ReadAllText(TokenFile).Trim() : null;

    public string? ReadApi() => File.Exists(ApiFile) ? File.ReadAllText(ApiFile).Trim() : null;
}
