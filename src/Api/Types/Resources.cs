namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.Resources</c>: what one task of a type and seal proof needs. <c>MaxParallelism</c> -1 = all
/// cores (<c>CPUs*92/100</c>); <c>MaxParallelismGPU</c> replaces it on workers with GPUs when non-zero;
/// <c>MaxConcurrent</c> 0 = unlimited. Field names are also the <c>&lt;TASK&gt;_[&lt;SIZE&gt;_]&lt;FIELD&gt;</c> overrides.
/// </summary>
public sealed record Resources(
    ulong MinMemory,
    ulong MaxMemory,
    double GPUUtilization,
    int MaxParallelism,
    int MaxParallelismGPU,
    ulong BaseMinMemory,
    int MaxConcurrent);
