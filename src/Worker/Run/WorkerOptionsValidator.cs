using Microsoft.Extensions.Options;

namespace Kiln.Worker.Run;

/// <summary>
/// Checks <see cref="WorkerOptions"/> when the worker host builds them (and, with <c>ValidateOnStart</c>, when it
/// starts): a bad <c>--listen</c>, limit, interval, task set, label pool or hugepage setting stops the worker with
/// the flag's own message.
/// </summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or Kiln.Proofs.ProofsException)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
