using System.CommandLine;
using Kiln.Api.Types;

namespace Kiln.Worker.Cli;

/// <summary><c>kiln-worker tasks enable|disable [--all] AP|PC1|…</c> on the running worker.</summary>
public static class TasksCommands
{
    /// <summary>The short names lotus-worker's tasks commands accept.</summary>
    public static readonly IReadOnlyList<TaskType> Allowed =
    [
        TaskType.AddPiece, TaskType.DataCid, TaskType.PreCommit1, TaskType.PreCommit2, TaskType.Commit2, TaskType.Unseal,
        TaskType.ReplicaUpdate, TaskType.ProveReplicaUpdate2, TaskType.RegenSectorKey,
    ];

    public static Command Build()
    {
        var tasks = new Command("tasks", "Manage task processing");
        tasks.Subcommands.Add(Toggle("enable", "Enable a task type", enable: true));
        tasks.Subcommands.Add(Toggle("disable", "Disable a task type", enable: false));
        return tasks;
    }

    /// <summary>Parses the command's arguments (short names, case-insensitive) into task types.</summary>
    /// <exception cref="ArgumentException">An unknown or non-toggleable name, or none given without --all.</exception>
    public static IReadOnlyList<TaskType> Parse(IReadOnlyList<string> names, bool all)
    {
        if (all)
        {
            return Allowed;
        }

        if (names.Count == 0)
        {
            throw new ArgumentException("expected at least one task type, or --all");
        }

        return [.. names.Select(n => TaskTypes.TryParseShortName(n.ToUpperInvariant(), out var t) && Allowed.Contains(t)
            ? t
            : throw new ArgumentException($"unknown task type '{n}', expected one of {string.Join(", ", Allowed.Select(TaskTypes.ShortName))}"))];
    }

    private static Command Toggle(string name, string description, bool enable)
    {
        var all = new Option<bool>("--all") { Description = $"{name} all task types" };
        var types = new Argument<string[]>("type") { Description = string.Join("|", Allowed.Select(TaskTypes.ShortName)), Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command(name, description) { all, types };
        cmd.SetAction(async (parse, ct) =>
        {
            var selected = Parse(parse.GetValue(types) ?? [], parse.GetValue(all));
            var worker = WorkerClient.Connect(parse, Environment.GetEnvironmentVariable);
            foreach (var t in selected)
            {
                if (enable)
                {
                    await worker.TaskEnableAsync(t, ct).ConfigureAwait(false);
                }
                else
                {
                    await worker.TaskDisableAsync(t, ct).ConfigureAwait(false);
                }
            }

            return 0;
        });
        return cmd;
    }
}
