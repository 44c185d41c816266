using System.CommandLine;
using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Worker.Cli;

/// <summary><c>kiln-worker info</c>: the running worker's session, state, resources, task types and paths (as lotus-worker info).</summary>
public static class InfoCommand
{
    public static Command Build()
    {
        var cmd = new Command("info", "Print worker info");
        cmd.SetAction(async (parse, ct) =>
        {
            var worker = WorkerClient.Connect(parse, Environment.GetEnvironmentVariable);
            Console.Write(await RenderAsync(worker, ct).ConfigureAwait(false));
            return 0;
        });
        return cmd;
    }

    public static async Task<string> RenderAsync(IWorkerApi worker, CancellationToken ct)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"Worker version: {await worker.VersionAsync(ct).ConfigureAwait(false)}");
        w.WriteLine($"Worker session: {await worker.ProcessSessionAsync(ct).ConfigureAwait(false)}");
        w.WriteLine($"Enabled: {(await worker.EnabledAsync(ct).ConfigureAwait(false) ? "true" : "false")}");
        var info = await worker.InfoAsync(ct).ConfigureAwait(false);
        w.WriteLine($"Hostname: {info.Hostname}");
        w.WriteLine($"CPUs: {info.Resources.CPUs}; GPUs: [{string.Join(" ", info.Resources.GPUs ?? [])}]");
        w.WriteLine($"RAM: {GoFormat.SizeStr(info.Resources.MemUsed)}/{GoFormat.SizeStr(info.Resources.MemPhysical)}; Swap: {GoFormat.SizeStr(info.Resources.MemSwapUsed)}/{GoFormat.SizeStr(info.Resources.MemSwap)}");
        var tasks = (await worker.TaskTypesAsync(ct).ConfigureAwait(false)).OrderBy(TaskTypes.Order).Select(TaskTypes.ShortName);
        w.WriteLine($"Task types: {string.Join(" ", tasks)}");
        w.WriteLine();
        foreach (var path in await worker.PathsAsync(ct).ConfigureAwait(false))
        {
            var use = path.CanSeal || path.CanStore
                ? string.Join(" ", new[] { path.CanSeal ? "Seal" : null, path.CanStore ? "Store" : null }.OfType<string>())
                : "ReadOnly";
            w.WriteLine($"{path.ID.Value}:");
            w.WriteLine($"\tWeight: {path.Weight}; Use: {use}");
            w.WriteLine($"\tLocal: {path.LocalPath}");
        }

        return w.ToString();
    }
}
