namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.WorkerInfo</c>: the worker's <c>Info</c> answer. <c>IgnoreResources</c> skips all admission checks but MaxConcurrent.</summary>
public sealed record WorkerInfo(string Hostname, bool IgnoreResources, WorkerResources Resources);
