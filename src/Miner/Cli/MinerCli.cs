using System.CommandLine;
using System.Net;
using Kiln.Api;
using Kiln.Miner.Repo;

namespace Kiln.Miner.Cli;

/// <summary>kiln-miner's commands, shaped after lotus-miner's.</summary>
public static class MinerCli
{
    public static RootCommand Build()
    {
        var repo = new Option<string?>("--repo") { Description = "miner repo directory (env KILN_MINER_PATH, LOTUS_MINER_PATH; default ~/.kilnminer)", Recursive = true };
        var root = new RootCommand("kiln-miner: Filecoin sealing and proving cluster, speaking Lotus's worker protocol") { repo };
        root.Subcommands.Add(Run(repo));
        root.Subcommands.Add(Auth(repo));
        root.Subcommands.Add(DevnetCommand());
        return root;
    }

    private static MinerRepo OpenRepo(ParseResult parse, Option<string?> repo) =>
        MinerRepo.Open(MinerRepo.Resolve(parse.GetValue(repo), Environment.GetEnvironmentVariable));

    private static Command Run(Option<string?> repo)
    {
        var listen = new Option<string>("--listen") { Description = "host:port to serve the API on", DefaultValueFactory = _ => "127.0.0.1:2345" };
        var actor = new Option<ulong>("--actor") { Description = "miner actor id", DefaultValueFactory = _ => MinerOptions.DefaultActorId };
        var sectorSize = new Option<string>("--sector-size") { Description = "sector size of this miner", DefaultValueFactory = _ => MinerOptions.DefaultSectorSize };
        var cmd = new Command("run", "Start the miner: API on /rpc/v0, sector index, worker registry, job tracker") { listen, actor, sectorSize };
        cmd.SetAction(async (parse, ct) =>
        {
            var r = OpenRepo(parse, repo);
            var options = new MinerOptions { ActorId = parse.GetValue(actor), SectorSize = parse.GetValue(sectorSize)! };
            await using var host = await MinerHost.StartAsync(r, options, IPEndPoint.Parse(parse.GetValue(listen)!), TimeProvider.System, ct);
            Console.WriteLine($"kiln-miner {options.ActorAddress} ({options.SectorSize}) listening on {host.RpcUrl}; repo {r.Path}");
            await host.WaitForShutdownAsync(ct);
            return 0;
        });
        return cmd;
    }

    private static Command DevnetCommand()
    {
        var workers = new Option<int>("--workers") { Description = "sealing worker processes", DefaultValueFactory = _ => 2 };
        var sectors = new Option<int>("--sectors") { Description = "CC sectors to pledge", DefaultValueFactory = _ => 2 };
        var sectorSize = new Option<string>("--sector-size") { Description = "sector size", DefaultValueFactory = _ => MinerOptions.DefaultSectorSize };
        var dir = new Option<string?>("--dir") { Description = "directory for the repos (default: a new temporary directory)" };
        var workerBin = new Option<string?>("--worker-bin") { Description = "kiln-worker executable (default: next to kiln-miner)" };
        var keep = new Option<bool>("--keep") { Description = "stay up after the sectors are done" };
        var cmd = new Command("devnet", "Run a local devnet: this miner and N kiln-worker processes on loopback; pledge and seal K CC sectors")
        {
            workers, sectors, sectorSize, dir, workerBin, keep,
        };
        cmd.SetAction((parse, ct) => Devnet.Devnet.RunAsync(
            new Devnet.DevnetOptions
            {
                Workers = parse.GetValue(workers),
                Sectors = parse.GetValue(sectors),
                SectorSize = parse.GetValue(sectorSize)!,
                Directory = parse.GetValue(dir),
                WorkerBinary = parse.GetValue(workerBin),
                Keep = parse.GetValue(keep),
            },
            Console.Out,
            ct));
        return cmd;
    }

    private static Command Auth(Option<string?> repo)
    {
        var auth = new Command("auth", "Manage RPC permissions");
        auth.Subcommands.Add(TokenCommand(repo, "create-token", "Create a token with the given permission (and those below it)", (r, token) => token));
        auth.Subcommands.Add(TokenCommand(repo, "api-info", "Print MINER_API_INFO for workers and tools", (r, token) =>
            $"MINER_API_INFO={token}:{r.ReadApi() ?? throw new ArgumentException($"no api file in {r.Path}: start `kiln-miner run` first")}"));
        return auth;
    }

    private static Command TokenCommand(Option<string?> repo, string name, string description, Func<MinerRepo, string, string> render)
    {
        var perm = new Option<string>("--perm") { Description = "permission to grant: read, write, sign or admin", Required = true };
        var cmd = new Command(name, description) { perm };
        cmd.SetAction(parse =>
        {
            var r = OpenRepo(parse, repo);
            Console.WriteLine(render(r, r.Secret.CreateToken(PermissionsUpTo(parse.GetValue(perm)!))));
            return 0;
        });
        return cmd;
    }

    /// <summary>Lotus grants a permission together with every one below it (read &lt; write &lt; sign &lt; admin).</summary>
    internal static IReadOnlyList<string> PermissionsUpTo(string permission)
    {
        var i = Permission.All.ToList().IndexOf(permission);
        return i < 0
            ? throw new ArgumentException($"unknown permission '{permission}': use read, write, sign or admin")
            : Permission.All.Take(i + 1).ToArray();
    }
}
