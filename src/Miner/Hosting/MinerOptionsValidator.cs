using Kiln.Miner.Repo;
using Microsoft.Extensions.Options;

namespace Kiln.Miner.Hosting;

/// <summary>
/// Checks <see cref="MinerOptions"/> (and the scheduling, proving and worker options it holds) and the repo directory
/// before the miner opens anything: each failure names the setting and the value that is wrong.
/// </summary>
public sealed class MinerOptionsValidator(MinerRepo repo) : IValidateOptions<MinerOptions>
{
    public ValidateOptionsResult Validate(string? name, MinerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Directory.Exists(repo.Path))
        {
            failures.Add($"miner repo {repo.Path} does not exist or is not a directory");
        }

        try
        {
            options.Validate();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or Kiln.Proofs.ProofsException)
        {
            failures.Add(e.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
