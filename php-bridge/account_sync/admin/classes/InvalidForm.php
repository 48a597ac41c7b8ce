<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** A submitted form was refused; the message is shown to the administrator. */
final class InvalidForm extends \RuntimeException
{
}
